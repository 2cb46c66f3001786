package dev.caravan.access;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/** The options of a {@code caravan-ip:} step, each with its one default. */
@UriParams
public final class IpRulesConfiguration {

    @UriPath(description = "A name for this rule set, shown in log lines")
    @Metadata(required = true)
    private String name;
    @UriParam(label = "producer", description = "Rules in order, comma-separated, each 'allow <range>' or"
            + " 'deny <range>' with an IPv4 or IPv6 address or CIDR range, or 'all'; the first rule whose range holds"
            + " the client address decides")
    private String rules = "";
    @UriParam(label = "producer", defaultValue = "deny", enums = "allow,deny",
            description = "What happens to an address no rule names")
    private String defaultAction = "deny";

    /** The rules compiled; fails naming the option on a bad range or action. */
    IpRules compile() {
        return IpRules.parse(rules, defaultAction);
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getRules() {
        return rules;
    }

    public void setRules(String rules) {
        this.rules = rules;
    }

    public String getDefaultAction() {
        return defaultAction;
    }

    public void setDefaultAction(String defaultAction) {
        this.defaultAction = defaultAction;
    }
}
