package dev.caravan.listen;

import dev.caravan.http.DirectForward;
import dev.caravan.http.DirectStep;
import dev.caravan.http.OptionalStep;
import org.apache.camel.CamelContext;
import org.apache.camel.Channel;
import org.apache.camel.Endpoint;
import org.apache.camel.Navigate;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.impl.engine.CamelInternalProcessor;
import org.apache.camel.processor.Pipeline;
import org.apache.camel.processor.SendProcessor;
import org.apache.camel.processor.errorhandler.NoErrorHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * Tells a forward-only route: one whose steps are a {@code caravan-forward} and, before it, only steps turned off
 * ({@link OptionalStep}, like the {@code caravan-proxy} template's cache and compression when off) or steps that decide
 * on the request without an exchange ({@link DirectStep}, like {@code caravan-ip} or {@code caravan-jwt}), run without
 * anything Camel would add around them (no error handler, route policy, interceptor, tracing, message history,
 * onCompletion or onException). Such a route's requests can skip the Camel exchange ({@link DirectForward}): nothing in the route
 * could read or change it.
 */
final class ForwardOnlyRoute {

    private ForwardOnlyRoute() {
    }

    /**
     * What a forward-only route does: the steps that decide on the request without an exchange ({@link DirectStep}s,
     * in route order), then the forward.
     */
    record Plan(List<DirectStep.Source> steps, DirectForward.Source forward) {
    }

    /** The route's plan when it only runs such steps and forwards, else null. */
    static Plan of(Route route) {
        CamelContext context = route.getCamelContext();
        if (Boolean.TRUE.equals(context.isTracing()) || Boolean.TRUE.equals(context.isBacklogTracing())
                || Boolean.TRUE.equals(context.isDebugging()) || Boolean.TRUE.equals(context.isMessageHistory())
                || !route.getRoutePolicyList().isEmpty() || !route.getInterceptStrategies().isEmpty()
                || !context.getCamelContextExtension().getInterceptStrategies().isEmpty()
                || route.getManagementInterceptStrategy() != null
                || !route.getOnCompletions().isEmpty() || !route.getOnExceptions().isEmpty()) {
            return null;
        }
        List<Endpoint> steps = new ArrayList<>();
        if (!(route.getProcessor() instanceof Navigate<?>) || !collect(route.getProcessor(), steps) || steps.isEmpty()) {
            return null;
        }
        List<DirectStep.Source> deciding = new ArrayList<>();
        for (int i = 0; i < steps.size() - 1; i++) {
            Endpoint step = steps.get(i);
            if (step instanceof OptionalStep optional && optional.isOff()) {
                continue;
            }
            if (!(step instanceof DirectStep.Source source)) {
                return null;
            }
            deciding.add(source);
        }
        return steps.get(steps.size() - 1) instanceof DirectForward.Source forward
                ? new Plan(List.copyOf(deciding), forward) : null;
    }

    /** Collects the endpoints the route sends to, in order; false at the first node that is not a plain send. */
    private static boolean collect(Processor processor, List<Endpoint> steps) {
        if (processor instanceof SendProcessor send) {
            steps.add(send.getEndpoint());
            return true;
        }
        if (processor instanceof Channel channel && !(channel.getErrorHandler() instanceof NoErrorHandler)) {
            return false; // an error handler (and its onException clauses) sees what the route does
        }
        boolean plain = processor instanceof CamelInternalProcessor || processor instanceof Pipeline
                || processor instanceof Channel || processor instanceof NoErrorHandler;
        if (!plain || !(processor instanceof Navigate<?> node)) {
            return false;
        }
        if (!node.hasNext()) {
            return true;
        }
        for (Object next : node.next()) {
            if (!(next instanceof Processor child) || !collect(child, steps)) {
                return false;
            }
        }
        return true;
    }
}
