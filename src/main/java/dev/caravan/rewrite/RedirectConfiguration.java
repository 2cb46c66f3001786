package dev.caravan.rewrite;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/** The options of a {@code caravan-redirect:} step, each with its one default. */
@UriParams
public final class RedirectConfiguration {

    @UriPath(enums = "301,302,303,307,308", description = "The redirect status: 301 or 308 permanent (308 keeps the"
            + " method and body), 302, 303 or 307 temporary")
    @Metadata(required = true)
    private int status;
    @UriParam(label = "producer", description = "Regular expression the raw path must match (whole) for the redirect;"
            + " its groups are {1}..{9} in the location. Empty: every request")
    private String match = "";
    @UriParam(label = "producer", defaultValue = "{scheme}://{authority}{path}{?query}",
            description = "Template of the Location")
    private String location = "{scheme}://{authority}{path}{?query}";
    @UriParam(label = "producer", defaultValue = "keep", enums = "keep,add,remove", description = "add: redirect a path"
            + " without a trailing slash to the same path with one (and only those); remove: the other way round")
    private String trailingSlash = "keep";

    public int getStatus() {
        return status;
    }

    public void setStatus(int status) {
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
            throw new IllegalArgumentException("caravan-redirect needs 301, 302, 303, 307 or 308, was " + status);
        }
        this.status = status;
    }

    public String getMatch() {
        return match;
    }

    public void setMatch(String match) {
        this.match = match;
    }

    public String getLocation() {
        return location;
    }

    public void setLocation(String location) {
        this.location = location;
    }

    public String getTrailingSlash() {
        return trailingSlash;
    }

    public void setTrailingSlash(String trailingSlash) {
        if (!trailingSlash.equals("keep") && !trailingSlash.equals("add") && !trailingSlash.equals("remove")) {
            throw new IllegalArgumentException("trailingSlash must be keep, add or remove, was '" + trailingSlash + "'");
        }
        this.trailingSlash = trailingSlash;
    }
}
