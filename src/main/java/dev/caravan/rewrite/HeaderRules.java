package dev.caravan.rewrite;

import dev.caravan.http.InternalHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One {@code caravan-headers} step's edits, compiled once: remove names (exact, or a prefix ending in {@code *}), then
 * set, add, and set-if-absent. A value holding {@code ${...}} is a Simple expression, evaluated per request when the
 * step runs. The same rules edit a Camel message (the request on its way to the backend) or a response head.
 */
final class HeaderRules {

    private final List<String> remove;
    private final List<Map.Entry<String, Expression>> set;
    private final List<Map.Entry<String, Expression>> add;
    private final List<Map.Entry<String, Expression>> setIfAbsent;
    /** The edits when no value is a Simple expression (they are the same for every request), else null. */
    private final Evaluated constant;

    /** {@code set}, {@code add} and {@code setIfAbsent} map labels to {@code Name: value} edits. */
    HeaderRules(CamelContext context, String remove, Map<String, Object> set, Map<String, Object> add,
                Map<String, Object> setIfAbsent) {
        this.remove = new ArrayList<>();
        for (String name : remove == null ? new String[0] : remove.split(",")) {
            if (!name.isBlank()) {
                this.remove.add(name.trim().toLowerCase(Locale.ROOT));
            }
        }
        this.set = compile(context, set);
        this.add = compile(context, add);
        this.setIfAbsent = compile(context, setIfAbsent);
        boolean anyExpression = Stream.of(this.set, this.add, this.setIfAbsent).flatMap(List::stream)
                .anyMatch(edit -> !(edit.getValue() instanceof Constant));
        this.constant = anyExpression ? null : evaluate(null);
    }

    /** Parses {@code Name: value} edits, in the order given. */
    private static List<Map.Entry<String, Expression>> compile(CamelContext context, Map<String, Object> edits) {
        List<Map.Entry<String, Expression>> compiled = new ArrayList<>();
        for (Object edit : edits.values()) {
            String line = String.valueOf(edit);
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon).trim();
            if (name.isEmpty() || !name.chars().allMatch(HeaderRules::isTokenChar)) {
                throw new IllegalArgumentException("A header edit must read 'Name: value', was '" + line.trim() + "'");
            }
            String text = line.substring(colon + 1).trim();
            Expression expression = text.contains("${")
                    ? context.resolveLanguage("simple").createExpression(text)
                    : constant(text);
            expression.init(context);
            compiled.add(Map.entry(name, expression));
        }
        return compiled;
    }

    /** RFC 9110 token characters, the only ones a header name may hold. */
    private static boolean isTokenChar(int c) {
        return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    private static Expression constant(String text) {
        return new Constant(text);
    }

    /** A value without {@code ${...}}: the same for every request, so it needs no exchange. */
    private record Constant(String text) implements Expression {
        @Override
        public <T> T evaluate(Exchange exchange, Class<T> type) {
            return type.cast(text);
        }
    }

    boolean isEmpty() {
        return remove.isEmpty() && set.isEmpty() && add.isEmpty() && setIfAbsent.isEmpty();
    }

    /** The edits, when none needs an exchange (no Simple value), else null. */
    Evaluated constant() {
        return constant;
    }

    /** The edits with every expression evaluated now, for the current exchange. */
    Evaluated evaluate(Exchange exchange) {
        return new Evaluated(remove, values(set, exchange), values(add, exchange), values(setIfAbsent, exchange));
    }

    private static List<Map.Entry<String, String>> values(List<Map.Entry<String, Expression>> expressions,
                                                          Exchange exchange) {
        if (expressions.isEmpty()) {
            return List.of();
        }
        List<Map.Entry<String, String>> values = new ArrayList<>(expressions.size());
        for (Map.Entry<String, Expression> e : expressions) {
            values.add(Map.entry(e.getKey(), String.valueOf(e.getValue().evaluate(exchange, String.class))));
        }
        return values;
    }

    /** The edits with their values fixed, ready for a message or a head. */
    record Evaluated(List<String> remove, List<Map.Entry<String, String>> set, List<Map.Entry<String, String>> add,
                     List<Map.Entry<String, String>> setIfAbsent) {

        void applyTo(Message message) {
            Map<String, Object> headers = message.getHeaders();
            // internal headers (CamelHttpMethod, CaravanClientIp, ...) are the gateway's, not the request's
            headers.keySet().removeIf(name -> !InternalHeaders.isInternal(name) && removes(name));
            set.forEach(e -> headers.put(e.getKey(), e.getValue()));
            add.forEach(e -> {
                String name = e.getKey();
                String value = e.getValue();
                Object existing = headers.get(name);
                if (existing == null) {
                    headers.put(name, value);
                } else {
                    List<Object> all = new ArrayList<>();
                    if (existing instanceof Iterable<?> values) {
                        values.forEach(all::add);
                    } else {
                        all.add(existing);
                    }
                    all.add(value);
                    headers.put(name, all);
                }
            });
            setIfAbsent.forEach(e -> headers.putIfAbsent(e.getKey(), e.getValue()));
        }

        void applyTo(HttpHeaders headers) {
            if (!remove.isEmpty()) {
                List<String> names = new ArrayList<>(headers.names());
                names.stream().filter(this::removes).forEach(headers::remove);
            }
            set.forEach(e -> headers.set(e.getKey(), e.getValue()));
            add.forEach(e -> headers.add(e.getKey(), e.getValue()));
            setIfAbsent.forEach(e -> {
                if (!headers.contains(e.getKey())) {
                    headers.set(e.getKey(), e.getValue());
                }
            });
        }

        private boolean removes(String name) {
            String lower = name.toLowerCase(Locale.ROOT);
            for (String rule : remove) {
                if (rule.endsWith("*") ? lower.startsWith(rule.substring(0, rule.length() - 1)) : lower.equals(rule)) {
                    return true;
                }
            }
            return false;
        }
    }
}
