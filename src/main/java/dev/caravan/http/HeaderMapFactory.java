package dev.caravan.http;

import org.apache.camel.spi.HeadersMapFactory;

import java.util.Map;

/** Plugs {@link HeaderMap} into Camel (found through {@code META-INF/services/org/apache/camel/headers-map-factory}). */
public final class HeaderMapFactory implements HeadersMapFactory {

    @Override
    public Map<String, Object> newMap() {
        return new HeaderMap();
    }

    @Override
    public Map<String, Object> newMap(Map<String, Object> map) {
        return new HeaderMap(map);
    }

    @Override
    public boolean isInstanceOf(Map<String, Object> map) {
        return map instanceof HeaderMap;
    }

    @Override
    public boolean isCaseInsensitive() {
        return true;
    }
}
