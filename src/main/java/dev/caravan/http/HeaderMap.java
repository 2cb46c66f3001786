package dev.caravan.http;

import io.netty.util.AsciiString;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The header map of every Camel message in Caravan: case-insensitive like Camel's own, but hashed (with Netty's
 * case-insensitive ASCII hash) instead of a TreeMap of case-insensitive comparisons, which showed up in profiles of the
 * request path. Names keep the case they were first written with, and insertion order is kept.
 */
public final class HeaderMap extends AbstractMap<String, Object> {

    private final LinkedHashMap<Name, Object> map;

    public HeaderMap() {
        this.map = new LinkedHashMap<>(32);
    }

    public HeaderMap(Map<String, Object> copyOf) {
        this.map = new LinkedHashMap<>(Math.max(32, copyOf.size() * 2));
        copyOf.forEach(this::put);
    }

    @Override
    public Object get(Object key) {
        return key instanceof String name ? map.get(new Name(name)) : null;
    }

    @Override
    public boolean containsKey(Object key) {
        return key instanceof String name && map.containsKey(new Name(name));
    }

    @Override
    public Object put(String key, Object value) {
        return map.put(new Name(key), value);
    }

    /** One name made and one lookup (the default merge makes two of each). */
    @Override
    public Object merge(String key, Object value,
                        BiFunction<? super Object, ? super Object, ? extends Object> remapping) {
        return map.merge(new Name(key), value, remapping);
    }

    @Override
    public Object remove(Object key) {
        return key instanceof String name ? map.remove(new Name(name)) : null;
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public boolean isEmpty() {
        return map.isEmpty();
    }

    @Override
    public void clear() {
        map.clear();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                Iterator<Entry<Name, Object>> entries = map.entrySet().iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return entries.hasNext();
                    }

                    @Override
                    public Entry<String, Object> next() {
                        Entry<Name, Object> entry = entries.next();
                        return new Entry<>() {
                            @Override
                            public String getKey() {
                                return entry.getKey().value;
                            }

                            @Override
                            public Object getValue() {
                                return entry.getValue();
                            }

                            @Override
                            public Object setValue(Object value) {
                                return entry.setValue(value);
                            }
                        };
                    }

                    @Override
                    public void remove() {
                        entries.remove();
                    }
                };
            }

            @Override
            public int size() {
                return map.size();
            }
        };
    }

    /**
     * A header name compared without case. Comparable, so that names crafted to share a hash (Netty's ASCII hash keeps
     * few bits per character) end up in a balanced tree bin of the map, not a list: lookups stay logarithmic.
     */
    private static final class Name implements Comparable<Name> {
        private final String value;
        private final int hash;

        Name(String value) {
            this.value = value;
            this.hash = AsciiString.hashCode(value);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Name name && (name.value == value || name.value.equalsIgnoreCase(value));
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public int compareTo(Name other) {
            return value.compareToIgnoreCase(other.value);
        }
    }
}
