package dev.caravan.compress;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The options of a {@code caravan-compress:} step, each with its one default. */
@UriParams
public final class CompressConfiguration {

    @UriPath(description = "Codings to offer, in the server's order of preference: gzip, br, or both (br,gzip)")
    @Metadata(required = true)
    private String codings;
    @UriParam(defaultValue = "true", description = "false turns the step into a no-op (for the caravan-proxy"
            + " template's compress parameter)")
    private boolean enabled = true;
    @UriParam(defaultValue = "1024", description = "Bodies shorter than this (by Content-Length) are sent as they"
            + " are; bodies of unknown length are compressed")
    private int minSize = 1024;
    @UriParam(defaultValue = "text/*,application/json,application/javascript,application/xml,application/*+json,"
            + "application/*+xml,image/svg+xml,application/wasm", description = "Media types worth compressing:"
            + " exact, type/*, or type/*+suffix")
    private String types = "text/*,application/json,application/javascript,application/xml,application/*+json,"
            + "application/*+xml,image/svg+xml,application/wasm";
    @UriParam(defaultValue = "6", description = "gzip level, 1 (fastest) to 9 (smallest)")
    private int gzipLevel = 6;
    @UriParam(defaultValue = "4", description = "brotli quality, 0 (fastest) to 11 (smallest)")
    private int brotliQuality = 4;

    /** The codings named in the path, checked. */
    List<String> codingList() {
        List<String> list = new ArrayList<>();
        for (String coding : codings.split(",")) {
            String c = coding.trim().toLowerCase(Locale.ROOT);
            if (!c.equals("gzip") && !c.equals("br")) {
                throw new IllegalArgumentException("caravan-compress: codings are gzip and br, e.g."
                        + " caravan-compress:br,gzip; was '" + coding.trim() + "'");
            }
            if (!list.contains(c)) {
                list.add(c);
            }
        }
        return list;
    }

    void validate() {
        if (codings == null || codings.isBlank()) {
            throw new IllegalArgumentException("caravan-compress: needs codings, e.g. caravan-compress:gzip");
        }
        codingList();
        if (minSize < 0) {
            throw new IllegalArgumentException("caravan-compress minSize must not be negative, was " + minSize);
        }
        if (gzipLevel < 1 || gzipLevel > 9) {
            throw new IllegalArgumentException("caravan-compress gzipLevel must be 1-9, was " + gzipLevel);
        }
        if (brotliQuality < 0 || brotliQuality > 11) {
            throw new IllegalArgumentException("caravan-compress brotliQuality must be 0-11, was " + brotliQuality);
        }
        new ContentTypes(types);
    }

    public String getCodings() {
        return codings;
    }

    public void setCodings(String codings) {
        this.codings = codings;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getMinSize() {
        return minSize;
    }

    public void setMinSize(int minSize) {
        this.minSize = minSize;
    }

    public String getTypes() {
        return types;
    }

    public void setTypes(String types) {
        this.types = types;
    }

    public int getGzipLevel() {
        return gzipLevel;
    }

    public void setGzipLevel(int gzipLevel) {
        this.gzipLevel = gzipLevel;
    }

    public int getBrotliQuality() {
        return brotliQuality;
    }

    public void setBrotliQuality(int brotliQuality) {
        this.brotliQuality = brotliQuality;
    }
}
