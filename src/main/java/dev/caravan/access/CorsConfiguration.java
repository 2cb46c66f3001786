package dev.caravan.access;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/** The options of a {@code caravan-cors:} step, each with its one default. */
@UriParams
public final class CorsConfiguration {

    @UriPath(description = "A name for this policy, shown in log lines")
    @Metadata(required = true)
    private String name;
    @UriParam(label = "producer", description = "Allowed origins, comma-separated: exact ('https://app.example.com'),"
            + " patterns with * ('https://*.example.com', 'http://localhost:*'), or * for any")
    private String origins = "";
    @UriParam(label = "producer", defaultValue = "GET,HEAD,POST", description = "Methods a cross-origin request may"
            + " use, comma-separated")
    private String methods = "GET,HEAD,POST";
    @UriParam(label = "producer", description = "Request headers a cross-origin request may send, comma-separated, or"
            + " * for any")
    private String headers = "";
    @UriParam(label = "producer", description = "Response headers the page's script may read, comma-separated")
    private String exposedHeaders = "";
    @UriParam(label = "producer", defaultValue = "false", description = "Allow cookies and HTTP authentication on"
            + " cross-origin requests (needs explicit origins or patterns, not *)")
    private boolean credentials;
    @UriParam(label = "producer", defaultValue = "600", description = "Seconds a browser may cache a preflight answer")
    private long maxAge = 600;

    CorsPolicy policy() {
        return new CorsPolicy(origins, methods, headers, exposedHeaders, credentials, maxAge);
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getOrigins() {
        return origins;
    }

    public void setOrigins(String origins) {
        this.origins = origins;
    }

    public String getMethods() {
        return methods;
    }

    public void setMethods(String methods) {
        this.methods = methods;
    }

    public String getHeaders() {
        return headers;
    }

    public void setHeaders(String headers) {
        this.headers = headers;
    }

    public String getExposedHeaders() {
        return exposedHeaders;
    }

    public void setExposedHeaders(String exposedHeaders) {
        this.exposedHeaders = exposedHeaders;
    }

    public boolean isCredentials() {
        return credentials;
    }

    public void setCredentials(boolean credentials) {
        this.credentials = credentials;
    }

    public long getMaxAge() {
        return maxAge;
    }

    public void setMaxAge(long maxAge) {
        this.maxAge = maxAge;
    }
}
