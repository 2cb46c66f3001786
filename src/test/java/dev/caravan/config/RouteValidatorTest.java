package dev.caravan.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which places in dispatch a route's {@code caravan:} URI takes, for the check that two routes do not shadow each other. */
class RouteValidatorTest {

    @Test
    void aRouteTakesOnePlacePerListener() throws Exception {
        assertEquals(List.of("listener http, host *, path /"), RouteValidator.dispatchKeys("caravan:http"));
        assertEquals(List.of("listener http, host *, path /a", "listener https, host *, path /a"),
                RouteValidator.dispatchKeys("caravan://http,https?path=/a"));
        assertEquals(List.of(), RouteValidator.dispatchKeys("timer:tick"));
    }

    /** Defect: a guard on every path ({@code /}) could not be loaded beside the catch-all route. */
    @Test
    void aGuardTakesNoPlace() throws Exception {
        assertEquals(List.of(), RouteValidator.dispatchKeys("caravan:http?guard=true"));
        assertEquals(List.of(), RouteValidator.dispatchKeys("caravan:http,https?guard=true&path=/admin"));
        assertEquals(List.of("listener http, host *, path /"), RouteValidator.dispatchKeys("caravan:http?guard=false"));
    }
}
