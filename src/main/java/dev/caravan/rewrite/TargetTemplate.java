package dev.caravan.rewrite;

import dev.caravan.http.HostHeader;
import dev.caravan.http.ProxyExchange;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.util.regex.Matcher;

/**
 * A URL or path template for rewrites and redirects. Placeholders: {@code {scheme}} (http or https, as the client
 * came), {@code {authority}} (the {@code Host} as sent, with any port), {@code {host}} (the host name only),
 * {@code {path}} and {@code {query}} (the current raw path and query, without {@code ?}), {@code {?query}} ({@code ?}
 * and the query, or nothing), and {@code {0}}..{@code {9}} (groups of the step's {@code match} expression).
 * Anything else is literal text.
 */
final class TargetTemplate {

    private final String template;

    TargetTemplate(String template) {
        this.template = template;
        expand(new Values("http", "h", "h", "/", null, null)); // fails now, naming the bad placeholder
    }

    /** What the placeholders stand for, for one request. */
    record Values(String scheme, String authority, String host, String path, String query, Matcher groups) {

        static Values of(ProxyExchange request, String path, String query, Matcher groups) {
            String authority = request.head().headers().get(HttpHeaderNames.HOST, "");
            return new Values(request.isSecure() ? "https" : "http", authority, HostHeader.hostOf(authority), path,
                    query, groups);
        }
    }

    String expand(Values values) {
        StringBuilder out = new StringBuilder(template.length() + 32);
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            int close = c == '{' ? template.indexOf('}', i) : -1;
            if (close < 0) {
                out.append(c);
                i++;
                continue;
            }
            String name = template.substring(i + 1, close);
            out.append(value(name, values));
            i = close + 1;
        }
        return out.toString();
    }

    private static String value(String name, Values values) {
        return switch (name) {
            case "scheme" -> values.scheme();
            case "authority" -> values.authority();
            case "host" -> values.host();
            case "path" -> values.path();
            case "query" -> values.query() == null ? "" : values.query();
            case "?query" -> values.query() == null ? "" : "?" + values.query();
            default -> {
                if (name.length() == 1 && Character.isDigit(name.charAt(0))) {
                    int group = name.charAt(0) - '0';
                    if (values.groups() == null) {
                        yield "";
                    }
                    if (group > values.groups().groupCount()) {
                        throw new IllegalArgumentException("The template refers to group {" + group
                                + "}, but the match expression has " + values.groups().groupCount() + " group(s)");
                    }
                    String text = values.groups().group(group);
                    yield text == null ? "" : text;
                }
                throw new IllegalArgumentException("Unknown placeholder {" + name + "}; use {scheme}, {authority},"
                        + " {host}, {path}, {query}, {?query} or {0}..{9}");
            }
        };
    }

    @Override
    public String toString() {
        return template;
    }
}
