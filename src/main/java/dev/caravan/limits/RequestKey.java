package dev.caravan.limits;

import dev.caravan.http.ProxyExchange;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.util.NetUtil;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;

import java.util.function.Function;

/**
 * What a limit counts requests by: the client address ({@code client-ip}, IPv6 clients by their /64 network by
 * default, since one host holds a whole /64), a request header ({@code header:X-Api-Key}), a cookie
 * ({@code cookie:session}) or a Simple expression ({@code simple:${header.X-Tenant}}). Headers and cookies are read
 * from the route's message, so a step before the limit (say one that verified a token) can set the key.
 */
final class RequestKey {

    static final String CLIENT_IP = "client-ip";

    /** Exactly one is set: a header, cookie or expression key reads the exchange, a {@code client-ip} key the request. */
    private final Function<Exchange, String> extract;
    private final Function<ProxyExchange, String> fromRequest;

    private RequestKey(Function<Exchange, String> extract, Function<ProxyExchange, String> fromRequest) {
        this.extract = extract;
        this.fromRequest = fromRequest;
    }

    static RequestKey parse(CamelContext context, String spec, int ipv6Prefix) {
        if (spec.startsWith("header:") && spec.length() > 7) {
            String name = spec.substring(7).trim();
            return new RequestKey(exchange -> exchange.getMessage().getHeader(name, String.class), null);
        }
        if (spec.startsWith("cookie:") && spec.length() > 7) {
            String name = spec.substring(7).trim();
            return new RequestKey(exchange -> cookie(exchange.getMessage().getHeader("Cookie", String.class), name),
                    null);
        }
        if (spec.startsWith("simple:") && spec.length() > 7) {
            Expression expression = context.resolveLanguage("simple").createExpression(spec.substring(7));
            expression.init(context);
            return new RequestKey(exchange -> expression.evaluate(exchange, String.class), null);
        }
        if (!spec.equals(CLIENT_IP)) {
            throw new IllegalArgumentException("key must be client-ip, header:<name>, cookie:<name> or"
                    + " simple:<expression>, was '" + spec + "'");
        }
        return new RequestKey(null, request -> clientKey(request.clientIp(), ipv6Prefix));
    }

    /** True when the key comes from the request alone ({@code client-ip}), not from what earlier steps left. */
    boolean readsOnlyTheRequest() {
        return fromRequest != null;
    }

    /** The key of a request; only for a key that {@link #readsOnlyTheRequest()} (on either path). */
    String of(ProxyExchange request) {
        String key = fromRequest.apply(request);
        return key == null || key.isEmpty() ? null : key;
    }

    /**
     * The key for this request, or null when the request has none (no such header, cookie, or an empty value); only
     * for a key that does not {@link #readsOnlyTheRequest()}.
     */
    String of(Exchange exchange) {
        String key = extract.apply(exchange);
        return key == null || key.isEmpty() ? null : key;
    }

    /** The client address as a key: IPv4 as it is, IPv6 reduced to its first {@code prefix} bits. */
    static String clientKey(String ip, int prefix) {
        if (ip == null || ip.indexOf(':') < 0 || prefix >= 128) {
            return ip;
        }
        byte[] address = NetUtil.createByteArrayFromIpAddressString(ip);
        if (address == null || address.length != 16) {
            return ip;
        }
        if (isIpv4Mapped(address)) {
            return (address[12] & 0xff) + "." + (address[13] & 0xff) + "." + (address[14] & 0xff) + "."
                    + (address[15] & 0xff);
        }
        for (int bit = prefix; bit < 128; bit++) {
            address[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return NetUtil.bytesToIpAddress(address) + "/" + prefix;
    }

    private static boolean isIpv4Mapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
    }

    private static String cookie(String header, String name) {
        if (header == null) {
            return null;
        }
        for (Cookie cookie : ServerCookieDecoder.LAX.decodeAll(header)) {
            if (cookie.name().equals(name)) {
                return cookie.value();
            }
        }
        return null;
    }
}
