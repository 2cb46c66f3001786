package dev.caravan.cache;

import dev.caravan.http.BodySink;
import dev.caravan.http.BodySource;

/**
 * A stored body served in place of the one a response came with (the empty body of the backend's 304 to a
 * revalidation, or an error page when a stale response is served on error). The replaced body is dropped.
 */
final class StoredBody implements BodySource {

    private final BodySource replaced;
    private final CachedBody body;
    private boolean consumed;

    StoredBody(BodySource replaced, CachedBody body) {
        this.replaced = replaced;
        this.body = body;
    }

    @Override
    public void subscribe(BodySink sink) {
        if (consumed) {
            throw new IllegalStateException("The body was already consumed and cannot be sent again");
        }
        consumed = true;
        replaced.discard();
        sink.onContent(body.content());
        sink.onBatchEnd();
    }

    @Override
    public boolean isConsumed() {
        return consumed;
    }

    @Override
    public boolean isComplete() {
        return true;
    }

    @Override
    public void pause() {
        // one piece, already in memory: nothing to hold back
    }

    @Override
    public void resume() {
    }

    @Override
    public void discard() {
        consumed = true;
        replaced.discard();
    }
}
