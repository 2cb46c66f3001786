package dev.caravan.harden;

import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options of a {@code caravan-security-headers:} step: one value per header, each with a default that suits a
 * site behind a gateway; {@code off} leaves a header out. A header the backend sent is never replaced.
 */
@UriParams
public final class SecurityHeadersConfiguration {

    static final String OFF = "off";
    static final String DEFAULT_CSP = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'";
    static final String DEFAULT_PERMISSIONS = "camera=(), microphone=(), geolocation=()";

    @UriPath(defaultValue = "response", description = "Where the headers go (responses only); may be left out:"
            + " caravan-security-headers: is the same")
    private String where = "response";
    @UriParam(label = "producer", defaultValue = "nosniff",
            description = "X-Content-Type-Options: browsers keep to the declared Content-Type")
    private String contentTypeOptions = "nosniff";
    @UriParam(label = "producer", defaultValue = "DENY",
            description = "X-Frame-Options: DENY or SAMEORIGIN (no framing by other sites: clickjacking)")
    private String frameOptions = "DENY";
    @UriParam(label = "producer", defaultValue = "strict-origin-when-cross-origin",
            description = "Referrer-Policy: how much of the page's URL other sites see")
    private String referrerPolicy = "strict-origin-when-cross-origin";
    @UriParam(label = "producer", defaultValue = DEFAULT_CSP, description = "Content-Security-Policy; the default"
            + " forbids framing, plugins and base-URL hijacking without restricting scripts, so no page breaks")
    private String contentSecurityPolicy = DEFAULT_CSP;
    @UriParam(label = "producer", defaultValue = DEFAULT_PERMISSIONS,
            description = "Permissions-Policy: browser features pages may use")
    private String permissionsPolicy = DEFAULT_PERMISSIONS;

    /** Header name -> value, without those turned off; checks every value, naming the option. */
    Map<String, String> headers() {
        if (!where.equals("response") && !where.isEmpty()) {
            throw new IllegalArgumentException("caravan-security-headers: sets response headers only"
                    + " (caravan-security-headers: or caravan-security-headers:response), was '" + where + "'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        put(headers, "contentTypeOptions", "X-Content-Type-Options", contentTypeOptions);
        put(headers, "frameOptions", "X-Frame-Options", frameOptions);
        put(headers, "referrerPolicy", "Referrer-Policy", referrerPolicy);
        put(headers, "contentSecurityPolicy", "Content-Security-Policy", contentSecurityPolicy);
        put(headers, "permissionsPolicy", "Permissions-Policy", permissionsPolicy);
        return headers;
    }

    private static void put(Map<String, String> headers, String option, String name, String value) {
        String trimmed = value == null ? "" : value.trim();
        if (!trimmed.isEmpty() && !trimmed.equalsIgnoreCase(OFF)) {
            requireFieldValue(option, trimmed);
            headers.put(name, trimmed);
        }
    }

    /** A header value may hold visible characters, spaces and tabs only (no CR, LF, NUL or other controls). */
    static void requireFieldValue(String option, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 32 && c != '\t' || c == 127) {
                throw new IllegalArgumentException(option + " must not hold control characters (CR, LF, NUL ...)");
            }
        }
    }

    public String getWhere() {
        return where;
    }

    public void setWhere(String where) {
        this.where = where;
    }

    public String getContentTypeOptions() {
        return contentTypeOptions;
    }

    public void setContentTypeOptions(String contentTypeOptions) {
        this.contentTypeOptions = contentTypeOptions;
    }

    public String getFrameOptions() {
        return frameOptions;
    }

    public void setFrameOptions(String frameOptions) {
        this.frameOptions = frameOptions;
    }

    public String getReferrerPolicy() {
        return referrerPolicy;
    }

    public void setReferrerPolicy(String referrerPolicy) {
        this.referrerPolicy = referrerPolicy;
    }

    public String getContentSecurityPolicy() {
        return contentSecurityPolicy;
    }

    public void setContentSecurityPolicy(String contentSecurityPolicy) {
        this.contentSecurityPolicy = contentSecurityPolicy;
    }

    public String getPermissionsPolicy() {
        return permissionsPolicy;
    }

    public void setPermissionsPolicy(String permissionsPolicy) {
        this.permissionsPolicy = permissionsPolicy;
    }
}
