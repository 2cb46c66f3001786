package com.example.gateway;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

@Component
public class GatewayRoutes extends RouteBuilder {

    @Override
    public void configure() {
        from("caravan:http?path=/api").to("caravan-forward:{{backend.url}}?stripPrefix=/api");
    }
}
