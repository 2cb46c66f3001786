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
 *
 * <p>Guard routes ({@code caravan:http?guard=true}) run before that choice, for every request whose host and path
 * they match, from the most general to the most specific (then by route id): each may answer the request (a deny,
 * a challenge, a limit) or let it go on, to the next guard and finally to the route the table picks (or 404).
 */
public final class RouteTable {

    private static final Comparator<Binding> DISPATCH_ORDER = Comparator
            .comparingInt((Binding b) -> b.host.specificity()).reversed()
            .thenComparing(Comparator.comparingInt((Binding b) -> b.pathPrefix.length()).reversed())
            .thenComparing(Comparator.comparingLong(Binding::sequence).reversed());

    /** Most general first: any host, then wildcards, then exact hosts; shorter paths first; then by route id. */
    private static final Comparator<Guard> GUARD_ORDER = Comparator
            .comparingInt((Guard g) -> g.host.specificity())
            .thenComparingInt(g -> g.pathPrefix.length())
            .thenComparing(g -> g.id)
            .thenComparingLong(g -> g.sequence);

    private final Consumer<ProxyExchange> noRoute;
    private volatile Binding[] bindings = new Binding[0];
    private volatile Guard[] guards = new Guard[0];
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

    /**
     * Binds a guard route. Two generations of one guard (the same route id, before a {@code ~} suffix) never both
     * run: the newest bound does.
     */
    public synchronized void bindGuard(RequestHandler handler, HostPattern host, String pathPrefix, String routeId) {
        Guard[] next = Arrays.copyOf(guards, guards.length + 1);
        next[guards.length] = new Guard(handler, host, normalisePrefix(pathPrefix), baseId(routeId), ++bound);
        Arrays.sort(next, GUARD_ORDER);
        guards = next;
    }

    /** Takes the handler out of dispatch (a stopping route, or one the reloader retired); requests it holds go on. */
    public synchronized void unbind(RequestHandler handler) {
        bindings = Arrays.stream(bindings).filter(b -> b.handler != handler).toArray(Binding[]::new);
        guards = Arrays.stream(guards).filter(g -> g.handler != handler).toArray(Guard[]::new);
    }

    public void dispatch(ProxyExchange request) {
        Guard[] all = guards;
        if (all.length == 0) {
            route(request);
            return;
        }
        new GuardRun(request, applicable(request, all)).run();
    }

    private void route(ProxyExchange request) {
        RequestHandler handler = match(request);
        if (handler == null) {
            noRoute.accept(request);
        } else {
            handler.handle(request);
        }
    }

    private static Guard[] applicable(ProxyExchange request, Guard[] all) {
        String host = HostHeader.hostOf(request.head().headers().get(HttpHeaderNames.HOST));
        String path = request.canonicalPath();
        java.util.List<Guard> matching = new java.util.ArrayList<>(all.length);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = all.length - 1; i >= 0; i--) { // newest generation of a guard first, so it is the one kept
            Guard guard = all[i];
            if (guard.host.matches(host) && matchesPrefix(path, guard.pathPrefix) && seen.add(guard.id)) {
                matching.add(guard);
            }
        }
        matching.sort(GUARD_ORDER);
        return matching.toArray(Guard[]::new);
    }

    /** Runs the guards one after the other (each hands back on the request's event loop), then routes. */
    private final class GuardRun implements Runnable {
        private final ProxyExchange request;
        private final Guard[] guards;
        private int next;

        GuardRun(ProxyExchange request, Guard[] guards) {
            this.request = request;
            this.guards = guards;
        }

        @Override
        public void run() {
            if (next < guards.length) {
                guards[next++].handler.guard(request, this);
            } else {
                route(request);
            }
        }
    }

    private static String baseId(String routeId) {
        int tilde = routeId == null ? -1 : routeId.indexOf('~');
        return tilde < 0 ? String.valueOf(routeId) : routeId.substring(0, tilde);
    }

    RequestHandler match(ProxyExchange request) {
        String host = HostHeader.hostOf(request.head().headers().get(HttpHeaderNames.HOST));
        return match(host, request.canonicalPath());
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
        // ASCII case does not matter: a backend that ignores it must not make /ADMIN a way around a rule on /admin
        if (!path.regionMatches(true, 0, prefix, 0, prefix.length())) {
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

    private record Guard(RequestHandler handler, HostPattern host, String pathPrefix, String id, long sequence) {
    }
}
