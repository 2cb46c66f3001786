package dev.caravan.rewrite;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.util.PropertiesHelper;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code caravan-headers} component: a head-tier step that edits request or response headers. */
@Component("caravan-headers")
public final class HeadersComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        HeadersConfiguration configuration = new HeadersConfiguration();
        configuration.setDirection(remaining);
        configuration.isResponse(); // fails now, with the accepted values, on anything else
        // set / add / setIfAbsent each take "Name: value", once plain or several times with a label (set.tenant=...):
        // header names go in values because YAML parameter keys lose their dashes
        configuration.setSet(edits(parameters, "set"));
        configuration.setAdd(edits(parameters, "add"));
        configuration.setSetIfAbsent(edits(parameters, "setIfAbsent"));
        HeadersEndpoint endpoint = new HeadersEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    private static Map<String, Object> edits(Map<String, Object> parameters, String option) {
        Map<String, Object> edits = new LinkedHashMap<>();
        Object plain = parameters.remove(option);
        if (plain != null) {
            edits.put("", plain);
        }
        edits.putAll(PropertiesHelper.extractProperties(parameters, option + "."));
        return edits;
    }
}
