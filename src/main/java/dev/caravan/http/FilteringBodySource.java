package dev.caravan.http;

import io.netty.handler.codec.http.HttpContent;

/**
 * Base for body decorators: sits between a source and its sink, sees every piece of content on its way through and
 * passes it on (or a transformed copy), while reading control (pause, resume, discard) goes straight to the source.
 * Subclasses override {@link #onContent}; everything runs on the source's event loop.
 */
public abstract class FilteringBodySource implements BodySource, BodySink {

    private final BodySource source;
    private BodySink sink;

    protected FilteringBodySource(BodySource source) {
        this.source = source;
    }

    /** Where content goes next; null until subscribed. */
    protected final BodySink sink() {
        return sink;
    }

    @Override
    public void subscribe(BodySink next) {
        if (sink != null) {
            throw new IllegalStateException("The body was already consumed and cannot be sent again");
        }
        sink = next;
        source.subscribe(this);
    }

    /** Passes content on unchanged; override to look at or transform it (ownership passes with it). */
    @Override
    public void onContent(HttpContent content) {
        sink.onContent(content);
    }

    @Override
    public void onBatchEnd() {
        sink.onBatchEnd();
    }

    @Override
    public void onError(Throwable cause) {
        sink.onError(cause);
    }

    @Override
    public boolean isConsumed() {
        return source.isConsumed();
    }

    @Override
    public boolean isComplete() {
        return source.isComplete();
    }

    @Override
    public void pause() {
        source.pause();
    }

    @Override
    public void resume() {
        source.resume();
    }

    @Override
    public void discard() {
        source.discard();
    }
}
