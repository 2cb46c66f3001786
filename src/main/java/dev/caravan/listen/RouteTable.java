package dev.caravan.listen;

import dev.caravan.http.HostHeader;
import dev.caravan.http.ProxyExchange;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.Consumer;

/**
 * Which route takes a request on one listener: the most specific host first (exact, then wildcard, then any), then
 * the longest path prefix. Routes join and leave as they start and stop; the listener itself stays bound.
 *
 * <p>Two bindings with the same host and path may be bound at once while a reload swaps routes: the newest bound
 * wins, so a new route takes new requests the moment it is bound, and the old one keeps only what it already holds.
 * Unbinding the newer one (a rolled-back change) makes the older one visible again. There is never a gap.
 */
public final class RouteTable {

    private static final Comparator<Binding> DISPATCH_ORDER = Comparator
            .comparingInt((Binding b) -> b.host.specificity()).reversed()
            .thenComparing(Comparator.comparingInt((Binding b) -> b.pathPrefix.length()).reversed())
            .thenComparing(Comparator.comparingLong(Binding::sequence).reversed());

    private final Consumer<ProxyExchange> noRoute;
    private volatile Binding[] bindings = new Binding[0];
    private long bound;

    public RouteTable(Consumer<ProxyExchange> noRoute) {
        this.noRoute = noRoute;
    }

    public synchronized void bind(RequestHandler handler, HostPattern host, String pathPrefix) {
        Binding[] next = Arrays.copyOf(bindings, bindings.length + 1);
        next[bindings.length] = new Binding(handler, host, normalisePrefix(pathPrefix), ++bound);
        Arrays.sort(next, DISPATCH_ORDER);
        bindings = next;
    }

    /** Takes the handler out of dispatch (a stopping route, or one the reloader retired); requests it holds go on. */
    public synchronized void unbind(RequestHandler handler) {
        bindings = Arrays.stream(bindings).filter(b -> b.handler != handler).toArray(Binding[]::new);
    }

    public void dispatch(ProxyExchange request) {
        RequestHandler handler = match(request);
        if (handler == null) {
            noRoute.accept(request);
        } else {
            handler.handle(request);
        }
    }

    RequestHandler match(ProxyExchange request) {
        String host = HostHeader.hostOf(request.head().headers().get(HttpHeaderNames.HOST));
        return match(host, pathOf(request.rawTarget()));
    }

    RequestHandler match(String host, String path) {
        for (Binding binding : bindings) {
            if (binding.host.matches(host) && matchesPrefix(path, binding.pathPrefix)) {
                return binding.handler;
            }
        }
        return null;
    }

    static String pathOf(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    static boolean matchesPrefix(String path, String prefix) {
        if (prefix.equals("/")) {
            return true;
        }
        if (!path.startsWith(prefix)) {
            return false;
        }
        return path.length() == prefix.length() || prefix.endsWith("/") || path.charAt(prefix.length()) == '/';
    }

    /** The path prefix as dispatch compares it ({@code api} and {@code /api} are the same prefix). */
    public static String normalisePrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "/";
        }
        return prefix.startsWith("/") ? prefix : "/" + prefix;
    }

    private record Binding(RequestHandler handler, HostPattern host, String pathPrefix, long sequence) {
    }
}
