package dev.caravan.listen;

import dev.caravan.http.HostHeader;
import dev.caravan.http.ProxyExchange;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Which route takes a request on one listener: the most specific host first (exact, then wildcard, then any), then
 * the longest path prefix. Routes join and leave as they start and stop; the listener itself stays bound.
 *
 * <p>During a route swap the table can be held: requests arriving then wait in a queue instead of meeting a gap,
 * and are dispatched to the new routes on release.
 */
public final class RouteTable {

    private static final Comparator<Binding> MOST_SPECIFIC_FIRST = Comparator
            .comparingInt((Binding b) -> b.host.specificity()).reversed()
            .thenComparing(Comparator.comparingInt((Binding b) -> b.pathPrefix.length()).reversed());

    private final Consumer<ProxyExchange> noRoute;
    private volatile Binding[] bindings = new Binding[0];
    private volatile boolean held;
    private final AtomicInteger dispatching = new AtomicInteger();
    private final List<ProxyExchange> heldRequests = new ArrayList<>();

    public RouteTable(Consumer<ProxyExchange> noRoute) {
        this.noRoute = noRoute;
    }

    public synchronized void bind(RequestHandler handler, HostPattern host, String pathPrefix) {
        Binding[] next = Arrays.copyOf(bindings, bindings.length + 1);
        next[bindings.length] = new Binding(handler, host, normalisePrefix(pathPrefix));
        Arrays.sort(next, MOST_SPECIFIC_FIRST);
        bindings = next;
    }

    public synchronized void unbind(RequestHandler handler) {
        bindings = Arrays.stream(bindings).filter(b -> b.handler != handler).toArray(Binding[]::new);
    }

    public void dispatch(ProxyExchange request) {
        dispatching.incrementAndGet();
        try {
            if (held && queueIfHeld(request)) {
                return;
            }
            RequestHandler handler = match(request);
            if (handler == null) {
                noRoute.accept(request);
            } else {
                handler.handle(request);
            }
        } finally {
            dispatching.decrementAndGet();
        }
    }

    private synchronized boolean queueIfHeld(ProxyExchange request) {
        if (held) {
            heldRequests.add(request);
            return true;
        }
        return false;
    }

    RequestHandler match(ProxyExchange request) {
        String host = HostHeader.hostOf(request.head().headers().get(HttpHeaderNames.HOST));
        String path = pathOf(request.rawTarget());
        for (Binding binding : bindings) {
            if (binding.host.matches(host) && matchesPrefix(path, binding.pathPrefix)) {
                return binding.handler;
            }
        }
        return null;
    }

    /** Stops dispatching: new requests queue until {@link #release()}. Returns once no dispatch is under way. */
    public void hold() {
        synchronized (this) {
            held = true;
        }
        while (dispatching.get() > 0) {
            Thread.onSpinWait();
        }
    }

    /** Dispatches the queued requests, each on its own connection's event loop, and resumes normal dispatch. */
    public void release() {
        List<ProxyExchange> queued;
        synchronized (this) {
            held = false;
            queued = new ArrayList<>(heldRequests);
            heldRequests.clear();
        }
        for (ProxyExchange request : queued) {
            request.eventLoop().execute(() -> dispatch(request));
        }
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

    private static String normalisePrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "/";
        }
        return prefix.startsWith("/") ? prefix : "/" + prefix;
    }

    private record Binding(RequestHandler handler, HostPattern host, String pathPrefix) {
    }
}
