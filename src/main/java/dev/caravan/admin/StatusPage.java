package dev.caravan.admin;

import java.time.Instant;
import java.util.Locale;

/**
 * The admin listener's HTML status page: readiness, request and error rates, routes, and backends with their health
 * and requests in flight. Plain server-rendered HTML that reloads itself every few seconds; no script.
 */
final class StatusPage {

    private final int refreshSeconds;

    StatusPage(int refreshSeconds) {
        this.refreshSeconds = Math.max(1, refreshSeconds);
    }

    String render(AdminData.StatusView view) {
        StringBuilder html = new StringBuilder(4096);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"").append(refreshSeconds).append("\">")
                .append("<title>Caravan status</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}")
                .append("table{border-collapse:collapse;margin-bottom:1.5rem}")
                .append("th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}th{background:#f3f3f3}")
                .append(".up{color:#fff;background:#2a7d2e}.down{color:#fff;background:#b3261e}")
                .append(".state{font-weight:bold;padding:.1rem .5rem;border-radius:.3rem}")
                .append("</style></head><body>\n<h1>Caravan</h1>\n");
        html.append("<p id=\"readiness\">Readiness: <span class=\"state ").append(view.ready() ? "up\">ready" : "down\">not ready")
                .append("</span>");
        for (String reason : view.notReady()) {
            html.append(" <span class=\"reason\">").append(escape(reason)).append("</span>");
        }
        html.append("</p>\n<p>Route generation ").append(view.generation());
        if (view.lastReloadError() != null) {
            html.append("; last change rejected: <span id=\"reload-error\">").append(escape(view.lastReloadError()))
                    .append("</span>");
        }
        html.append("</p>\n");
        if (view.metricsOn()) {
            html.append("<p id=\"rates\">Requests: <span id=\"request-rate\">")
                    .append(String.format(Locale.ROOT, "%.1f", view.requestsPerSecond()))
                    .append("</span>/s, errors: <span id=\"error-rate\">")
                    .append(String.format(Locale.ROOT, "%.1f", view.errorsPerSecond()))
                    .append("</span>/s (last minute); since start <span id=\"requests\">").append(view.requests())
                    .append("</span> requests, <span id=\"errors\">").append(view.errors())
                    .append("</span> errors (5xx or cut off)</p>\n");
        } else {
            html.append("<p id=\"rates\">Metrics are off (caravan.metrics.enabled=false).</p>\n");
        }
        html.append("<h2>Backends</h2>\n<table id=\"backends\"><tr><th>Backend</th><th>State</th><th>Health check</th>")
                .append("<th>Ejected</th><th>In flight</th><th>Ejections</th></tr>\n");
        for (AdminData.BackendRow b : view.backends()) {
            html.append("<tr data-backend=\"").append(escape(b.origin())).append("\"><td>").append(escape(b.origin()))
                    .append("</td><td><span class=\"state ").append(b.up() ? "up\">UP" : "down\">DOWN").append("</span></td><td>")
                    .append(b.probedUp() ? "passing" : "failing").append("</td><td>").append(b.ejected() ? "yes" : "no")
                    .append("</td><td class=\"inflight\">").append(b.inflight()).append("</td><td>").append(b.ejections())
                    .append("</td></tr>\n");
        }
        html.append("</table>\n<h2>Routes</h2>\n<table id=\"routes\"><tr><th>Route</th><th>Listeners</th><th>Host</th>")
                .append("<th>Path</th><th>Backends</th><th>Source</th></tr>\n");
        for (AdminData.RouteRow r : view.routes()) {
            html.append("<tr data-route=\"").append(escape(r.id())).append("\"><td>").append(escape(r.id()))
                    .append("</td><td>").append(escape(r.listeners())).append("</td><td>").append(escape(r.host()))
                    .append("</td><td>").append(escape(r.path())).append("</td><td>")
                    .append(escape(String.join(", ", r.backends()))).append("</td><td>").append(escape(r.source()))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n<p><small>Rendered ").append(Instant.now()).append(", refreshing every ")
                .append(refreshSeconds).append(" s. <a href=\"/metrics\">metrics</a> · <a href=\"/health/ready\">")
                .append("readiness</a> · <a href=\"/admin/routes\">routes</a> · <a href=\"/admin/backends\">backends</a>")
                .append(" · <a href=\"/admin/certificates\">certificates</a></small></p>\n</body></html>\n");
        return html.toString();
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String jsonEscape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
