package dev.caravan.compress;

import dev.caravan.http.Answer;
import dev.caravan.http.DirectStep;
import dev.caravan.http.DirectStepProducer;
import dev.caravan.http.ProxyExchange;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import org.apache.camel.Endpoint;
import org.apache.camel.Message;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Negotiates a coding from the request's {@code Accept-Encoding} (q-values; ties go to the configured order) and, on
 * the response head, decides whether to compress: a compressible type, long enough, not already coded, not a range,
 * not {@code no-transform}, a status with a body. If so it sets {@code Content-Encoding}, drops
 * {@code Content-Length} (the connection then chunks), makes a strong {@code ETag} weak (the bytes changed; the
 * validator still names the same content) and installs the streaming coder. {@code Vary: Accept-Encoding} goes on
 * every compressible response, coded or not, since the answer depends on it.
 *
 * <p>The coder is installed from the head filter, at response time, so it wraps the body after any byte-tier step
 * installed later in the route (a cache copying the response stores the coded bytes it served).
 */
final class CompressStep extends DirectStepProducer {

    private final List<String> codings;
    private final ContentTypes types;
    private final int minSize;
    private final int gzipLevel;
    private final int brotliQuality;

    CompressStep(Endpoint endpoint, List<String> codings, ContentTypes types, CompressConfiguration configuration) {
        super(endpoint, "caravan-compress");
        this.codings = codings;
        this.types = types;
        this.minSize = configuration.getMinSize();
        this.gzipLevel = configuration.getGzipLevel();
        this.brotliQuality = configuration.getBrotliQuality();
    }

    /** Reads {@code Accept-Encoding} as the route's steps left it; never answers. */
    @Override
    public Answer decide(ProxyExchange proxy, Supplier<Message> message) {
        Object field = DirectStep.header(proxy, message, "Accept-Encoding");
        String accept = field instanceof Iterable<?> values ? String.join(",", strings(values))
                : field == null ? null : field.toString();
        String coding = AcceptEncoding.parse(accept).choose(codings);
        proxy.onResponseHead((request, head) -> onResponse(request, head, coding));
        return null;
    }

    private void onResponse(ProxyExchange request, HttpResponse head, String coding) {
        HttpHeaders headers = head.headers();
        int status = head.status().code();
        if (status < 200 || status == 204 || status == 206 || status == 304
                || !types.matches(headers.get(HttpHeaderNames.CONTENT_TYPE))) {
            return;
        }
        addVary(headers);
        if (coding == null || headers.contains(HttpHeaderNames.CONTENT_RANGE)
                || isCoded(headers.get(HttpHeaderNames.CONTENT_ENCODING))
                || noTransform(headers) || HttpUtil.getContentLength(head, Long.MAX_VALUE) < minSize) {
            return;
        }
        headers.set(HttpHeaderNames.CONTENT_ENCODING, coding);
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        headers.remove(HttpHeaderNames.ACCEPT_RANGES);
        String etag = headers.get(HttpHeaderNames.ETAG);
        if (etag != null && etag.startsWith("\"")) {
            headers.set(HttpHeaderNames.ETAG, "W/" + etag);
        }
        request.decorateResponseBody((h, body) -> new CompressingBody(body, encoder(coding),
                request.channel().alloc()));
    }

    private ContentEncoder encoder(String coding) {
        return coding.equals("br") ? new BrotliEncoder(brotliQuality) : new GzipEncoder(gzipLevel);
    }

    private static void addVary(HttpHeaders headers) {
        for (String line : headers.getAll(HttpHeaderNames.VARY)) {
            for (String name : line.split(",")) {
                String n = name.trim();
                if (n.equals("*") || n.equalsIgnoreCase("Accept-Encoding")) {
                    return;
                }
            }
        }
        headers.add(HttpHeaderNames.VARY, "Accept-Encoding");
    }

    private static boolean isCoded(String contentEncoding) {
        return contentEncoding != null && !contentEncoding.isBlank()
                && !contentEncoding.trim().equalsIgnoreCase("identity");
    }

    private static boolean noTransform(HttpHeaders headers) {
        for (String line : headers.getAll(HttpHeaderNames.CACHE_CONTROL)) {
            for (String directive : line.split(",")) {
                if (directive.trim().toLowerCase(Locale.ROOT).startsWith("no-transform")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> strings(Iterable<?> values) {
        List<String> list = new java.util.ArrayList<>();
        values.forEach(v -> list.add(String.valueOf(v)));
        return list;
    }
}
