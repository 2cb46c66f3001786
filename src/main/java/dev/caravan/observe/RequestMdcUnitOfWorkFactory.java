package dev.caravan.observe;

import dev.caravan.http.ProxyExchange;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.impl.engine.DefaultUnitOfWork;
import org.apache.camel.spi.InflightRepository;
import org.apache.camel.spi.UnitOfWork;
import org.apache.camel.spi.UnitOfWorkFactory;

/**
 * Camel's unit of work for Caravan routes, with one addition: when a route step finishes asynchronously (the backend
 * answered or failed, on the backend connection's event loop, or a step handed the exchange back from another thread),
 * the rest of the route and the reply to the client run with the request's ids in the log MDC, and they are taken away
 * when that work is done (Camel may queue it on the thread's reactive worker rather than run it inside the callback,
 * so the removal is queued behind it). A step that completes synchronously adds nothing (the client connection's handler already
 * set them), so the cost is one small callback per step.
 */
final class RequestMdcUnitOfWorkFactory implements UnitOfWorkFactory {

    private InflightRepository inflightRepository;
    private boolean allowUseOriginalMessage;
    private boolean useBreadcrumb;

    @Override
    public UnitOfWork createUnitOfWork(Exchange exchange) {
        return new RequestUnitOfWork(exchange, inflightRepository, allowUseOriginalMessage, useBreadcrumb);
    }

    @Override
    public void afterPropertiesConfigured(CamelContext camelContext) {
        inflightRepository = camelContext.getInflightRepository();
        allowUseOriginalMessage = Boolean.TRUE.equals(camelContext.isAllowUseOriginalMessage());
        useBreadcrumb = Boolean.TRUE.equals(camelContext.isUseBreadcrumb());
    }

    private static final class RequestUnitOfWork extends DefaultUnitOfWork {

        RequestUnitOfWork(Exchange exchange, InflightRepository inflight, boolean original, boolean breadcrumb) {
            super(exchange, inflight, original, breadcrumb);
        }

        @Override
        public boolean isBeforeAfterProcess() {
            return true;
        }

        @Override
        public AsyncCallback beforeProcess(Processor processor, Exchange exchange, AsyncCallback callback) {
            return new MdcCallback(callback, exchange);
        }
    }

    /** Puts the request's ids in the MDC for work that continues asynchronously, and takes them away after it. */
    private record MdcCallback(AsyncCallback delegate, Exchange exchange) implements AsyncCallback {

        @Override
        public void done(boolean doneSync) {
            if (doneSync) {
                delegate.done(true);
                return;
            }
            ProxyExchange proxy = ProxyExchange.of(exchange);
            ObservedRequest observed = proxy == null ? null : proxy.attachment(ObservedRequest.class);
            if (observed == null) {
                delegate.done(false);
                return;
            }
            RequestMdc.put(observed);
            try {
                delegate.done(false);
            } finally {
                // Camel may have queued the rest of the work (the route's reply) on this thread's reactive worker
                // instead of running it inside the call above: the ids go once that queue is done, or now if it is
                exchange.getContext().getCamelContextExtension().getReactiveExecutor().schedule(RequestMdc::clear);
            }
        }
    }
}
