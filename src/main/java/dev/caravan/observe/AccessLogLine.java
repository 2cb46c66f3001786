package dev.caravan.observe;

import dev.caravan.http.ProxyExchange;
import dev.caravan.http.RequestLog;
import dev.caravan.http.RequestLog.Outcome;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One access-log line for a finished exchange, in either format. Every field comes from the exchange's request log
 * and the request id / trace context attached when it started:
 * <pre>
 * combined: 127.0.0.1 - - [05/Mar/2026:10:15:02 +0000] "GET /api/x?q=1 HTTP/1.1" 200 512 "-" "curl/8.5.0" rid=... trace=...
 *           route=api listener=http backend=http://127.0.0.1:9101 bt=0.002 attempts=1 in=0 rt=0.003 tls=- sni=-
 *           outcome=completed
 * json:     {"time":"2026-03-05T10:15:02.120Z","client":"127.0.0.1","method":"GET","target":"/api/x?q=1", ...}
 * </pre>
 * Text from the client (target, user agent, referer) is escaped: quotes, backslashes, control and non-ASCII characters
 * become {@code \xHH} in the combined format (as nginx writes them) and JSON escapes in the JSON format, so a
 * client cannot forge a line or a field.
 */
final class AccessLogLine {

    private static final DateTimeFormatter NGINX_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneId.systemDefault());

    /** The last second formatted (every line of one second shares it; formatting a date costs more than the line). */
    private volatile CachedSecond cached = new CachedSecond(-1, "");

    private record CachedSecond(long epochSecond, String text) {
    }

    String format(AccessLogFormat format, ProxyExchange exchange, ObservedRequest observed) {
        return format == AccessLogFormat.JSON ? json(exchange, observed) : combined(exchange, observed);
    }

    /** The status logged: the one sent, or 499 (nginx's "client closed") when the client left before any. */
    static int statusOf(RequestLog log) {
        if (log.status() != 0) {
            return log.status();
        }
        return log.outcome() == Outcome.CLIENT_GONE ? 499 : 0;
    }

    String combined(ProxyExchange exchange, ObservedRequest observed) {
        RequestLog log = exchange.log();
        HttpHeaders headers = exchange.head().headers();
        StringBuilder line = new StringBuilder(256);
        line.append(exchange.clientIp()).append(" - - [").append(nginxTime(log.startMillis())).append("] \"");
        escapeCombined(line, exchange.method().name());
        line.append(' ');
        escapeCombined(line, exchange.rawTarget());
        line.append(' ').append(log.protocol()).append("\" ").append(statusOf(log)).append(' ')
                .append(log.bytesOut()).append(" \"");
        escapeCombined(line, orDash(headers.get(HttpHeaderNames.REFERER)));
        line.append("\" \"");
        escapeCombined(line, orDash(headers.get(HttpHeaderNames.USER_AGENT)));
        line.append("\" rid=").append(observed == null ? "-" : observed.requestId())
                .append(" trace=").append(observed == null || observed.traceId() == null ? "-" : observed.traceId())
                .append(" route=").append(orDash(GatewayMetrics.routeLabel(log.routeId()).equals(GatewayMetrics.NO_ROUTE)
                        ? null : GatewayMetrics.routeLabel(log.routeId())))
                .append(" listener=").append(exchange.client().listener())
                .append(" backend=").append(orDash(log.backend()))
                .append(" bt=");
        appendSeconds(line, log.backendNanos());
        line.append(" attempts=").append(log.attempts())
                .append(" in=").append(log.bytesIn())
                .append(" rt=");
        appendSeconds(line, log.durationNanos());
        ObservedRequest.TlsFacts tls = observed == null ? null : observed.tls();
        line.append(" tls=").append(tls == null ? "-" : tls.protocol())
                .append(" sni=");
        escapeCombined(line, tls == null || tls.sni() == null ? "-" : tls.sni());
        line.append(" outcome=").append(log.outcome().name().toLowerCase(Locale.ROOT));
        if (log.grpcStatus() >= 0) {
            line.append(" grpc=").append(log.grpcStatus());
        }
        return line.toString();
    }

    String json(ProxyExchange exchange, ObservedRequest observed) {
        RequestLog log = exchange.log();
        HttpHeaders headers = exchange.head().headers();
        ObservedRequest.TlsFacts tls = observed == null ? null : observed.tls();
        String route = GatewayMetrics.routeLabel(log.routeId());
        StringBuilder json = new StringBuilder(384);
        json.append("{\"time\":\"").append(Instant.ofEpochMilli(log.startMillis())).append('"');
        field(json, "client", exchange.clientIp());
        field(json, "method", exchange.method().name());
        field(json, "target", exchange.rawTarget());
        field(json, "protocol", log.protocol());
        json.append(",\"status\":").append(statusOf(log));
        json.append(",\"bytes_in\":").append(log.bytesIn());
        json.append(",\"bytes_out\":").append(log.bytesOut());
        json.append(",\"duration_ms\":").append(millis(log.durationNanos()));
        field(json, "backend", log.backend());
        json.append(",\"backend_ms\":").append(log.backendNanos() < 0 ? "null" : millis(log.backendNanos()));
        json.append(",\"attempts\":").append(log.attempts());
        field(json, "route", route.equals(GatewayMetrics.NO_ROUTE) ? null : route);
        field(json, "listener", exchange.client().listener());
        field(json, "tls_version", tls == null ? null : tls.protocol());
        field(json, "sni", tls == null ? null : tls.sni());
        field(json, "request_id", observed == null ? null : observed.requestId());
        field(json, "trace_id", observed == null ? null : observed.traceId());
        field(json, "user_agent", headers.get(HttpHeaderNames.USER_AGENT));
        field(json, "referer", headers.get(HttpHeaderNames.REFERER));
        field(json, "outcome", log.outcome().name().toLowerCase(Locale.ROOT));
        if (log.grpcStatus() >= 0) {
            json.append(",\"grpc_status\":").append(log.grpcStatus());
        }
        return json.append('}').toString();
    }

    private String nginxTime(long epochMillis) {
        long second = epochMillis / 1000;
        CachedSecond c = cached;
        if (c.epochSecond != second) {
            c = new CachedSecond(second, NGINX_TIME.format(Instant.ofEpochSecond(second)));
            cached = c;
        }
        return c.text;
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }

    /** Seconds with millisecond precision, as nginx's {@code $request_time}; {@code -} when there was none. */
    private static void appendSeconds(StringBuilder line, long nanos) {
        if (nanos < 0) {
            line.append('-');
            return;
        }
        long millis = nanos / 1_000_000;
        line.append(millis / 1000).append('.');
        long frac = millis % 1000;
        if (frac < 100) {
            line.append('0');
        }
        if (frac < 10) {
            line.append('0');
        }
        line.append(frac);
    }

    private static String millis(long nanos) {
        return Double.toString(Math.round(nanos / 1_000.0) / 1_000.0);
    }

    private static void escapeCombined(StringBuilder out, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                if (c > 0xFF) {
                    out.append("\\u").append(String.format("%04X", (int) c));
                } else {
                    out.append("\\x").append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
                }
            } else {
                out.append(c);
            }
        }
    }

    private static void field(StringBuilder json, String name, String value) {
        json.append(",\"").append(name).append("\":");
        if (value == null) {
            json.append("null");
            return;
        }
        json.append('"');
        JsonText.escape(json, value);
        json.append('"');
    }
}
