package dev.caravan.harden;

import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/** The options of a {@code caravan-hide:} step, each with its one default. */
@UriParams
public final class HideConfiguration {

    // Via: RFC 9110 7.6.3 asks a gateway not to pass on the names of hosts behind it
    static final String DEFAULT_REMOVE = "Server,X-Powered-By,X-AspNet-Version,X-AspNetMvc-Version,X-Runtime,Via";

    @UriPath(defaultValue = "backends", description = "What is hidden (only backends for now); may be left out:"
            + " caravan-hide: is the same")
    private String what = "backends";
    @UriParam(label = "producer", defaultValue = DEFAULT_REMOVE, description = "Response headers that name the"
            + " software or servers behind the gateway, taken out of every response; a name ending in a star takes"
            + " every header with that prefix")
    private String remove = DEFAULT_REMOVE;
    @UriParam(label = "producer", description = "More header names to take out, besides those in remove (so the"
            + " defaults need not be repeated), e.g. X-Backend-*, X-Served-By")
    private String alsoRemove = "";
    @UriParam(label = "producer", description = "The Server header Caravan sends instead; none: no Server header")
    private String server = "";
    @UriParam(label = "producer", defaultValue = "none", enums = "none,5xx,all", description = "Replace the bodies of"
            + " backends' error responses with the gateway's own error page: none, 5xx (server errors, which often"
            + " carry stack traces and internal names) or all (4xx too)")
    private String replaceErrors = "none";

    /** The lowest status whose backend body is replaced, or 0 for none. */
    int replaceFrom() {
        return switch (replaceErrors) {
            case "none" -> 0;
            case "5xx" -> 500;
            case "all" -> 400;
            default -> throw new IllegalArgumentException("replaceErrors must be none, 5xx or all, was '"
                    + replaceErrors + "'");
        };
    }

    /** Checks every value, naming the option. */
    void validate() {
        if (!what.equals("backends") && !what.isEmpty()) {
            throw new IllegalArgumentException("caravan-hide: hides backends only (caravan-hide: or"
                    + " caravan-hide:backends), was '" + what + "'");
        }
        try {
            new HeaderNames(remove, alsoRemove);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("remove and alsoRemove take header names: " + e.getMessage());
        }
        SecurityHeadersConfiguration.requireFieldValue("server", server);
        replaceFrom();
    }

    public String getWhat() {
        return what;
    }

    public void setWhat(String what) {
        this.what = what;
    }

    public String getRemove() {
        return remove;
    }

    public void setRemove(String remove) {
        this.remove = remove;
    }

    public String getAlsoRemove() {
        return alsoRemove;
    }

    public void setAlsoRemove(String alsoRemove) {
        this.alsoRemove = alsoRemove;
    }

    public String getServer() {
        return server;
    }

    public void setServer(String server) {
        this.server = server;
    }

    public String getReplaceErrors() {
        return replaceErrors;
    }

    public void setReplaceErrors(String replaceErrors) {
        this.replaceErrors = replaceErrors;
    }
}
