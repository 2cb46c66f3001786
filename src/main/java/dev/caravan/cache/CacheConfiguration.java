package dev.caravan.cache;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

import java.nio.file.Path;

/** The options of a {@code caravan-cache:} step, each with its one default. */
@UriParams
public final class CacheConfiguration {

    @UriPath(description = "Name of the cache; routes naming the same cache share it (and its byte bound)")
    @Metadata(required = true)
    private String name;
    @UriParam(defaultValue = "lookup", enums = "lookup,purge", description = "lookup: answer from the cache or let"
            + " the request go on and store its response; purge: an admin endpoint that removes entries by key=<exact"
            + " key> or prefix=<key prefix> in the query")
    private String action = "lookup";
    @UriParam(defaultValue = "true", description = "false turns the step into a no-op (for the caravan-proxy"
            + " template's cache parameter)")
    private boolean enabled = true;
    @UriParam(defaultValue = "67108864", description = "Bytes the cache may hold (bodies, headers and bookkeeping)")
    private long maxBytes = 64L * 1024 * 1024;
    @UriParam(defaultValue = "1048576", description = "Largest body stored; larger responses stream through uncached")
    private int maxObjectSize = 1024 * 1024;
    @UriParam(defaultValue = "0", description = "Heuristic freshness for responses without explicit freshness: this"
            + " percentage of the time since Last-Modified (at most a day); 0 turns it off")
    private int heuristicPercent;
    @UriParam(defaultValue = "true", description = "Honour the client's Cache-Control (no-cache, no-store, max-age,"
            + " max-stale, min-fresh, only-if-cached) and Pragma: no-cache; false ignores them")
    private boolean honourClientCacheControl = true;
    @UriParam(defaultValue = "false", description = "Store responses that carry Set-Cookie (and replay the cookie)")
    private boolean cacheSetCookie;
    @UriParam(defaultValue = "5000", description = "Milliseconds a request waits for another request already fetching"
            + " the same key (request collapsing) before it goes to the backend itself; 0 turns collapsing off")
    private long collapseTimeout = 5000;
    @UriParam(defaultValue = "0", description = "Seconds a stale response may be served while it is refreshed in the"
            + " background, when the response has no stale-while-revalidate of its own")
    private long staleWhileRevalidate;
    @UriParam(defaultValue = "0", description = "Seconds a stale response may be served when the backend fails or"
            + " answers 5xx, when the response has no stale-if-error of its own")
    private long staleIfError;
    @UriParam(defaultValue = "3600", description = "Seconds a stale response with a validator (ETag, Last-Modified)"
            + " is kept to be revalidated with a conditional request")
    private long keepStale = 3600;
    @UriParam(defaultValue = "false", description = "Also send X-Cache: HIT, MISS, STALE, REVALIDATED, EXPIRED or BYPASS")
    private boolean xCache;
    @UriParam(description = "A Simple expression whose value is added to the key (for requests that differ in"
            + " something the backend's Vary does not name, e.g. ${header.CaravanClientCertSubject})")
    private String key = "";
    @UriParam(defaultValue = "127.0.0.1,::1", description = "For action=purge: client addresses or CIDR ranges allowed"
            + " to purge; others get 403")
    private String purgeAllowFrom = "127.0.0.1,::1";
    @UriParam(description = "A directory on a memory filesystem (tmpfs, e.g. /dev/shm) for bodies of at least"
            + " sendfileMinSize bytes: hits on plain HTTP/1.1 connections then go out with sendfile, without the kernel"
            + " copying the body. Empty: every body in direct memory")
    private String sendfileDir = "";
    @UriParam(defaultValue = "65536", description = "The smallest body kept in sendfileDir")
    private int sendfileMinSize = 64 * 1024;

    void validate() {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("caravan-cache: needs a cache name, e.g. caravan-cache:shared");
        }
        if (!action.equals("lookup") && !action.equals("purge")) {
            throw new IllegalArgumentException("caravan-cache action must be lookup or purge, was '" + action + "'");
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("caravan-cache maxBytes must be positive, was " + maxBytes);
        }
        if (maxObjectSize <= 0 || maxObjectSize > maxBytes) {
            throw new IllegalArgumentException("caravan-cache maxObjectSize must be positive and at most maxBytes, was "
                    + maxObjectSize);
        }
        if (heuristicPercent < 0 || heuristicPercent > 100) {
            throw new IllegalArgumentException("caravan-cache heuristicPercent must be 0-100, was " + heuristicPercent);
        }
        if (collapseTimeout < 0 || staleWhileRevalidate < 0 || staleIfError < 0 || keepStale < 0) {
            throw new IllegalArgumentException("caravan-cache collapseTimeout, staleWhileRevalidate, staleIfError and"
                    + " keepStale must not be negative");
        }
        if (sendfileMinSize < 1) {
            throw new IllegalArgumentException("caravan-cache sendfileMinSize must be positive, was " + sendfileMinSize);
        }
        if (!sendfileDir.isBlank()) {
            BodyFiles.requireMemoryDirectory(Path.of(sendfileDir));
        }
    }

    CachePolicy policy() {
        return new CachePolicy(heuristicPercent, cacheSetCookie, staleWhileRevalidate, staleIfError, keepStale);
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getAction() {
        return action;
    }

    public void setAction(String action) {
        this.action = action;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public long getMaxBytes() {
        return maxBytes;
    }

    public void setMaxBytes(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public int getMaxObjectSize() {
        return maxObjectSize;
    }

    public void setMaxObjectSize(int maxObjectSize) {
        this.maxObjectSize = maxObjectSize;
    }

    public int getHeuristicPercent() {
        return heuristicPercent;
    }

    public void setHeuristicPercent(int heuristicPercent) {
        this.heuristicPercent = heuristicPercent;
    }

    public boolean isHonourClientCacheControl() {
        return honourClientCacheControl;
    }

    public void setHonourClientCacheControl(boolean honourClientCacheControl) {
        this.honourClientCacheControl = honourClientCacheControl;
    }

    public boolean isCacheSetCookie() {
        return cacheSetCookie;
    }

    public void setCacheSetCookie(boolean cacheSetCookie) {
        this.cacheSetCookie = cacheSetCookie;
    }

    public long getCollapseTimeout() {
        return collapseTimeout;
    }

    public void setCollapseTimeout(long collapseTimeout) {
        this.collapseTimeout = collapseTimeout;
    }

    public long getStaleWhileRevalidate() {
        return staleWhileRevalidate;
    }

    public void setStaleWhileRevalidate(long staleWhileRevalidate) {
        this.staleWhileRevalidate = staleWhileRevalidate;
    }

    public long getStaleIfError() {
        return staleIfError;
    }

    public void setStaleIfError(long staleIfError) {
        this.staleIfError = staleIfError;
    }

    public long getKeepStale() {
        return keepStale;
    }

    public void setKeepStale(long keepStale) {
        this.keepStale = keepStale;
    }

    public boolean isXCache() {
        return xCache;
    }

    public void setXCache(boolean xCache) {
        this.xCache = xCache;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public String getSendfileDir() {
        return sendfileDir;
    }

    public void setSendfileDir(String sendfileDir) {
        this.sendfileDir = sendfileDir == null ? "" : sendfileDir;
    }

    public int getSendfileMinSize() {
        return sendfileMinSize;
    }

    public void setSendfileMinSize(int sendfileMinSize) {
        this.sendfileMinSize = sendfileMinSize;
    }

    public String getPurgeAllowFrom() {
        return purgeAllowFrom;
    }

    public void setPurgeAllowFrom(String purgeAllowFrom) {
        this.purgeAllowFrom = purgeAllowFrom;
    }
}
