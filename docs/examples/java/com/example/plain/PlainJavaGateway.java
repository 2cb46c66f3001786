package com.example.plain;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

public final class PlainJavaGateway {

    /** Proxies http://host:port/api/** to {@code backend}; stop the returned context to stop it. */
    public static CamelContext start(int port, String backend) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().addInitialProperty("caravan.http.port", Integer.toString(port));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("caravan:http?path=/api").to("caravan-forward:" + backend + "?stripPrefix=/api");
            }
        });
        context.start(); // the listener binds once the route runs
        return context;  // context.stop() drains the listener, then stops the route and Caravan's threads
    }

    private PlainJavaGateway() {
    }
}
