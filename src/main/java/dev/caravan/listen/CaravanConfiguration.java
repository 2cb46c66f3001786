package dev.caravan.listen;

import dev.caravan.limits.ByteSize;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The options of a {@code caravan:} endpoint, each with its one default. Camel's tooling reads them from these
 * annotations (the generated configurer and component JSON); the README's table is checked against them.
 */
@UriParams
public final class CaravanConfiguration {

    @UriPath(defaultValue = "http", description = "The listener(s) whose requests this route takes, comma-separated"
            + " (http, https, or http,https)")
    @Metadata(required = true)
    private String listeners = "http";
    @UriParam(label = "consumer", defaultValue = "/",
            description = "Path prefix this route takes: /api matches /api and /api/x (with any query), not /apix")
    private String path = "/";
    @UriParam(label = "consumer", defaultValue = "*",
            description = "Host this route takes: a name (api.example.com), every subdomain of a domain (written with"
                    + " a leading star and dot), or any host (a single star)")
    private String host = "*";
    @UriParam(label = "consumer,security", defaultValue = "false", enums = "false,true,308,301",
            description = "Answer requests that did not arrive over TLS with a redirect to the same target on the https"
                    + " listener (true or 308 keeps the method and body; 301), without running the route")
    private String redirectToHttps = "false";

    @UriParam(label = "consumer,security", description = "Largest request body this route takes (e.g. 10m); more gets"
            + " 413 as soon as the limit is crossed. Empty: the listener's caravan.client.maxBodySize")
    private String maxBodySize = "";
    @UriParam(label = "consumer,security", defaultValue = "0",
            description = "Requests this route works on at once (0: no limit); more get 503 with Retry-After")
    private int maxConcurrent;

    @UriParam(label = "consumer,security", defaultValue = "false", description = "A guard route: it runs for every"
            + " request of its listeners whose host and path it matches, before the route is chosen, and either"
            + " answers (a deny, a challenge, a limit) or lets the request go on")
    private boolean guard;

    public boolean isGuard() {
        return guard;
    }

    public void setGuard(boolean guard) {
        this.guard = guard;
    }

    /** The route's body limit, or -1 to use the listener's. */
    long maxBodyBytes() {
        return maxBodySize.isBlank() ? -1 : ByteSize.parse("maxBodySize", maxBodySize);
    }

    public String getMaxBodySize() {
        return maxBodySize;
    }

    public void setMaxBodySize(String maxBodySize) {
        this.maxBodySize = maxBodySize;
        maxBodyBytes();
    }

    public int getMaxConcurrent() {
        return maxConcurrent;
    }

    public void setMaxConcurrent(int maxConcurrent) {
        if (maxConcurrent < 0) {
            throw new IllegalArgumentException("maxConcurrent must not be negative, was " + maxConcurrent);
        }
        this.maxConcurrent = maxConcurrent;
    }

    /** The listener names, in order. */
    List<String> listenerNames() {
        List<String> names = Arrays.stream(listeners.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList();
        if (names.isEmpty()) {
            throw new IllegalArgumentException("caravan: needs a listener name, e.g. caravan:http");
        }
        return names;
    }

    HostPattern hostPattern() {
        return HostPattern.parse(host);
    }

    /** 0 for no redirect, else the redirect status. */
    int redirectStatus() {
        return switch (redirectToHttps.trim().toLowerCase(Locale.ROOT)) {
            case "false" -> 0;
            case "true", "308" -> 308;
            case "301" -> 301;
            default -> throw new IllegalArgumentException(
                    "redirectToHttps must be true, false, 308 or 301, was '" + redirectToHttps + "'");
        };
    }

    public String getListeners() {
        return listeners;
    }

    public void setListeners(String listeners) {
        this.listeners = listeners;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        HostPattern.parse(host); // fail at the option, naming it
        this.host = host;
    }

    public String getRedirectToHttps() {
        return redirectToHttps;
    }

    public void setRedirectToHttps(String redirectToHttps) {
        this.redirectToHttps = redirectToHttps;
        redirectStatus();
    }
}
