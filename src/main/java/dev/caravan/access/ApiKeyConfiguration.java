package dev.caravan.access;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/** The options of a {@code caravan-apikey:} step, each with its one default. */
@UriParams
public final class ApiKeyConfiguration {

    @UriPath(description = "A name for this key set, used as the realm of the challenge and in log lines")
    @Metadata(required = true)
    private String name;
    @UriParam(label = "producer", description = "The key file: one key a line as '<sha256 hex of the key> [label]',"
            + " # comments; re-read when it changes")
    private String keys = "";
    @UriParam(label = "producer", defaultValue = "X-Api-Key",
            description = "The request header that carries the key (empty: none); removed before the backend")
    private String header = "X-Api-Key";
    @UriParam(label = "producer", description = "A query parameter that may carry the key instead (when the header"
            + " is absent); removed from the target sent to the backend")
    private String query = "";
    @UriParam(label = "producer", description = "A header to send the backend the key's label in (a copy the client"
            + " sent is always removed)")
    private String labelHeader = "";
    @UriParam(label = "producer", defaultValue = "1000", description = "Milliseconds between checks of the key file"
            + " for changes")
    private long reloadInterval = 1000;

    void validate() {
        FileBackedComponent.requirePath(keys, "keys");
        if (!header.isBlank()) {
            HeaderNames.require(header.trim(), "header");
        }
        if (header.isBlank() && query.isBlank()) {
            throw new IllegalArgumentException("header, query: the key must come in a header or a query parameter");
        }
        if (!labelHeader.isBlank()) {
            HeaderNames.require(labelHeader.trim(), "labelHeader");
        }
        FileBackedComponent.requirePositive(reloadInterval, "reloadInterval");
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getKeys() {
        return keys;
    }

    public void setKeys(String keys) {
        this.keys = keys;
    }

    public String getHeader() {
        return header;
    }

    public void setHeader(String header) {
        this.header = header;
    }

    public String getQuery() {
        return query;
    }

    public void setQuery(String query) {
        this.query = query;
    }

    public String getLabelHeader() {
        return labelHeader;
    }

    public void setLabelHeader(String labelHeader) {
        this.labelHeader = labelHeader;
    }

    public long getReloadInterval() {
        return reloadInterval;
    }

    public void setReloadInterval(long reloadInterval) {
        this.reloadInterval = reloadInterval;
    }
}
