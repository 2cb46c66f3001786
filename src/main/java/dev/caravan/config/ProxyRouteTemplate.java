package dev.caravan.config;

import org.apache.camel.builder.RouteBuilder;

/**
 * The {@code caravan-proxy} route template: "send this listener's {@code path} (and optionally {@code host}) to these
 * backends". It is defined in Java so it is always there; YAML files instantiate it with {@code templatedRoute}, and
 * Caravan's reloader adds and removes those routes like any other.
 */
public final class ProxyRouteTemplate extends RouteBuilder {

    public static final String ID = "caravan-proxy";

    @Override
    public void configure() {
        routeTemplate(ID)
                .templateParameter("listener", "http", "Listener name")
                .templateParameter("path", "/", "Path prefix this route takes")
                .templateParameter("host", "*", "Host: exact, *.example.com, or * for any")
                .templateParameter("backends", null, "Backend base URLs, comma-separated")
                .templateParameter("balance", "round-robin",
                        "round-robin, random, weighted, least-connections or hash")
                .templateParameter("stripPrefix", "", "Path prefix to remove before forwarding")
                .templateParameter("preserveHost", "true", "Send the client's Host (true) or the backend's (false)")
                .templateParameter("connectTimeout", "5000", "Milliseconds to connect")
                .templateParameter("responseTimeout", "60000", "Milliseconds to the response head")
                // optional: unset, the option is left out and caravan-forward's own default (4000) applies
                .templateOptionalParameter("poolIdleTimeout",
                        "Milliseconds a kept backend connection may idle (below the backend's keep-alive timeout)")
                .templateParameter("cache", "false",
                        "true: answer from the shared response cache (caravan-cache:caravan, default limits)")
                .templateParameter("compress", "false", "true: compress responses (brotli or gzip) for clients that"
                        + " accept it")
                .from("caravan:{{listener}}?path={{path}}&host={{host}}")
                // the cache first: it stores responses as compressed for the client, so hits need no compressing
                .to("caravan-cache:caravan?enabled={{cache}}&sendfileDir={{?caravan.cache.sendfileDir}}")
                .to("caravan-compress:br,gzip?enabled={{compress}}")
                .to("caravan-forward:{{backends}}?balance={{balance}}&stripPrefix={{stripPrefix}}"
                        + "&preserveHost={{preserveHost}}"
                        + "&connectTimeout={{connectTimeout}}&responseTimeout={{responseTimeout}}"
                        + "&poolIdleTimeout={{?poolIdleTimeout}}");
    }
}
