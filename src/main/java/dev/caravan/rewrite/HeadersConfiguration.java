package dev.caravan.rewrite;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

import java.util.LinkedHashMap;
import java.util.Map;

/** The options of a {@code caravan-headers:} step, each with its one default. */
@UriParams
public final class HeadersConfiguration {

    @UriPath(enums = "request,response", description = "request: edit the headers sent to the backend; response: edit"
            + " every response the client gets for this request (backend answer, route answer or error page)")
    @Metadata(required = true)
    private String direction;
    @UriParam(label = "producer", description = "Header names to remove, comma-separated; a name ending in a star"
            + " removes every header with that prefix")
    private String remove = "";
    @UriParam(label = "producer", prefix = "set.", multiValue = true, description = "Headers to set (replacing any"
            + " value): set=Name: value, or several as set.<label>=Name: value; a value with a Simple expression is"
            + " evaluated per request")
    private Map<String, Object> set = new LinkedHashMap<>();
    @UriParam(label = "producer", prefix = "add.", multiValue = true,
            description = "Header values to add beside existing ones: add=Name: value, or add.<label>=Name: value")
    private Map<String, Object> add = new LinkedHashMap<>();
    @UriParam(label = "producer", prefix = "setIfAbsent.", multiValue = true, description = "Headers to set only where"
            + " they are not there already: setIfAbsent=Name: value, or setIfAbsent.<label>=Name: value")
    private Map<String, Object> setIfAbsent = new LinkedHashMap<>();

    boolean isResponse() {
        return switch (direction) {
            case "request" -> false;
            case "response" -> true;
            default -> throw new IllegalArgumentException(
                    "caravan-headers: needs request or response, e.g. caravan-headers:response, was '" + direction + "'");
        };
    }

    public String getDirection() {
        return direction;
    }

    public void setDirection(String direction) {
        this.direction = direction;
    }

    public String getRemove() {
        return remove;
    }

    public void setRemove(String remove) {
        this.remove = remove;
    }

    public Map<String, Object> getSet() {
        return set;
    }

    public void setSet(Map<String, Object> set) {
        this.set = set;
    }

    public Map<String, Object> getAdd() {
        return add;
    }

    public void setAdd(Map<String, Object> add) {
        this.add = add;
    }

    public Map<String, Object> getSetIfAbsent() {
        return setIfAbsent;
    }

    public void setSetIfAbsent(Map<String, Object> setIfAbsent) {
        this.setIfAbsent = setIfAbsent;
    }
}
