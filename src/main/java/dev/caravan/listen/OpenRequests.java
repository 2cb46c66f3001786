package dev.caravan.listen;

import dev.caravan.http.ProxyExchange;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The requests one handler took whose responses are not finished yet, so a retired route knows when it is idle. */
final class OpenRequests {

    private final Set<ProxyExchange> open = ConcurrentHashMap.newKeySet();
    /** One callback for every request, not two new ones per request. */
    private final Consumer<ProxyExchange> forget = open::remove;

    void track(ProxyExchange request) {
        open.add(request);
        request.onFinished(forget);
        // a WebSocket tunnel leaves its route: a retired route neither waits for it nor cuts it
        request.onUpgraded(forget);
    }

    int count() {
        return open.size();
    }

    /** Cuts each open request (its client connection closes; the exchange ends as CUT). */
    void abortAll() {
        for (ProxyExchange request : open) {
            request.cut();
        }
    }
}
