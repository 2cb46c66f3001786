package dev.caravan.rewrite;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/** The options of a {@code caravan-rewrite:} step, each with its one default. */
@UriParams
public final class RewriteConfiguration {

    @UriPath(description = "A name for the rewrite (in logs)")
    @Metadata(required = true)
    private String name;
    @UriParam(label = "producer", defaultValue = "^(.*)$", description = "Regular expression the current raw path must"
            + " match (whole); its groups are {1}..{9} in the templates. No match: the step changes nothing")
    private String match = "^(.*)$";
    @UriParam(label = "producer", defaultValue = "{path}", description = "Template of the new path")
    private String path = "{path}";
    @UriParam(label = "producer", defaultValue = "{query}",
            description = "Template of the new query (without ?); empty drops the query")
    private String query = "{query}";
    @UriParam(label = "producer", description = "Template of the Host sent to the backend (with preserveHost);"
            + " empty keeps it")
    private String host = "";

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getMatch() {
        return match;
    }

    public void setMatch(String match) {
        this.match = match;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public String getQuery() {
        return query;
    }

    public void setQuery(String query) {
        this.query = query;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }
}
