package dev.caravan.listen;

import dev.caravan.http.ProxyRequest;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The requests one handler took whose responses are not finished yet, so a retired route knows when it is idle. */
final class OpenRequests {

    private final Set<ProxyRequest> open = ConcurrentHashMap.newKeySet();

    void track(ProxyRequest request) {
        open.add(request);
        request.onFinished(() -> open.remove(request));
    }

    int count() {
        return open.size();
    }

    /** Closes each open request's client connection; the connection then finishes the request as abandoned. */
    void abortAll() {
        for (ProxyRequest request : open) {
            request.channel().close();
        }
    }
}
