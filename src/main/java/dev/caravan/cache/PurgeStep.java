package dev.caravan.cache;

import dev.caravan.access.CidrMatcher;
import dev.caravan.http.Answer;
import dev.caravan.http.ProxyExchange;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The cache's admin endpoint ({@code caravan-cache:<name>?action=purge}): {@code ?key=<exact key>} or
 * {@code ?prefix=<key prefix>} (URL-encoded) removes entries and answers {@code {"purged":N}}. Only clients in
 * {@code purgeAllowFrom} may; others get 403 and nothing changes.
 */
final class PurgeStep extends DefaultProducer {

    private final ResponseCache cache;
    private final CidrMatcher allowed;

    PurgeStep(Endpoint endpoint, ResponseCache cache, CidrMatcher allowed) {
        super(endpoint);
        this.cache = cache;
        this.allowed = allowed;
    }

    @Override
    public void process(Exchange exchange) {
        ProxyExchange request = ProxyExchange.require(exchange, "caravan-cache:?action=purge");
        InetAddress client = CidrMatcher.literal(request.clientIp());
        if (client == null || !allowed.matches(client)) {
            Answer.status(403).sendFrom(exchange);
            return;
        }
        String target = request.rawTarget();
        int q = target.indexOf('?');
        String key = null;
        String prefix = null;
        for (String pair : q < 0 ? new String[0] : target.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (name.equals("key")) {
                key = value;
            } else if (name.equals("prefix")) {
                prefix = value;
            }
        }
        if ((key == null || key.isEmpty()) && (prefix == null || prefix.isEmpty())) {
            Answer.status(400).body("application/json", "{\"error\":\"give key=<exact key> or prefix=<key prefix>\"}")
                    .sendFrom(exchange);
            return;
        }
        int purged = key != null && !key.isEmpty() ? (cache.invalidate(key) ? 1 : 0) : cache.invalidatePrefix(prefix);
        Answer.status(200).body("application/json", "{\"purged\":" + purged + "}").sendFrom(exchange);
    }
}
