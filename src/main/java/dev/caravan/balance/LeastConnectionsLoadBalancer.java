package dev.caravan.balance;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.processor.loadbalancer.LoadBalancerSupport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Least-connections for Camel's {@code loadBalance} EIP, which has none: each exchange goes to the child step with the
 * fewest exchanges in flight, ties taking turns. Declare it as a bean and name it in {@code customLoadBalancer}.
 * For {@code caravan-forward} children an exchange is in flight until the response head arrives; for the whole
 * response time use {@code caravan-forward}'s own {@code balance=least-connections}.
 */
public final class LeastConnectionsLoadBalancer extends LoadBalancerSupport {

    private final Map<AsyncProcessor, AtomicInteger> inflight = new ConcurrentHashMap<>();
    private final AtomicInteger rotation = new AtomicInteger();

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        AsyncProcessor[] children = doGetProcessors();
        if (children.length == 0) {
            exchange.setException(new IllegalStateException("No processors to balance over"));
            callback.done(true);
            return true;
        }
        int start = Math.floorMod(rotation.getAndIncrement(), children.length);
        AsyncProcessor chosen = children[start];
        int fewest = Integer.MAX_VALUE;
        for (int i = 0; i < children.length; i++) {
            AsyncProcessor child = children[(start + i) % children.length];
            int count = counter(child).get();
            if (count < fewest) {
                fewest = count;
                chosen = child;
            }
        }
        AtomicInteger counter = counter(chosen);
        counter.incrementAndGet();
        return chosen.process(exchange, doneSync -> {
            counter.decrementAndGet();
            callback.done(doneSync);
        });
    }

    private AtomicInteger counter(AsyncProcessor child) {
        return inflight.computeIfAbsent(child, c -> new AtomicInteger());
    }
}
