package dev.caravan.access;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/** The options of a {@code caravan-geo:} step, each with its one default. */
@UriParams
public final class GeoConfiguration {

    @UriPath(description = "A name for this rule, shown in log lines")
    @Metadata(required = true)
    private String name;
    @UriParam(label = "producer", description = "The MaxMind GeoIP2 or GeoLite2 Country (or City) database file;"
            + " re-read when it changes")
    private String database = "";
    @UriParam(label = "producer", description = "ISO country codes let on, comma-separated; every other country gets"
            + " 403 (set allow or deny, not both)")
    private String allow = "";
    @UriParam(label = "producer", description = "ISO country codes that get 403, comma-separated; every other country"
            + " is let on")
    private String deny = "";
    @UriParam(label = "producer", defaultValue = "deny", enums = "allow,deny", description = "What happens to an"
            + " address the database has no country for (private and loopback addresses, unlisted ranges)")
    private String unknownCountry = "deny";
    @UriParam(label = "producer", description = "A header to send the backend the country code in (a copy the client"
            + " sent is always removed)")
    private String countryHeader = "";
    @UriParam(label = "producer", defaultValue = "1000", description = "Milliseconds between checks of the database"
            + " file for changes")
    private long reloadInterval = 1000;

    void validate() {
        FileBackedComponent.requirePath(database, "database");
        if (allow.isBlank() == deny.isBlank()) {
            throw new IllegalArgumentException("allow, deny: set one of them (a list of ISO country codes)");
        }
        countries(allow, "allow");
        countries(deny, "deny");
        IpRules.isAllow(unknownCountry, "unknownCountry");
        if (!countryHeader.isBlank()) {
            HeaderNames.require(countryHeader.trim(), "countryHeader");
        }
        FileBackedComponent.requirePositive(reloadInterval, "reloadInterval");
    }

    static Set<String> countries(String list, String option) {
        Set<String> codes = new LinkedHashSet<>();
        for (String code : list.split(",")) {
            String trimmed = code.trim().toUpperCase(Locale.ROOT);
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!trimmed.matches("[A-Z]{2}")) {
                throw new IllegalArgumentException(option + ": '" + code.trim() + "' is not an ISO 3166 country code"
                        + " (two letters, e.g. SE)");
            }
            codes.add(trimmed);
        }
        return codes;
    }

    GeoRule rule() {
        boolean allowList = !allow.isBlank();
        return new GeoRule(allowList, countries(allowList ? allow : deny, allowList ? "allow" : "deny"),
                IpRules.isAllow(unknownCountry, "unknownCountry"));
    }

    /** Allow-list or deny-list of countries, and what an address without a country gets. */
    record GeoRule(boolean allowList, Set<String> countries, boolean allowUnknown) {

        /** True if a country (null: none known) may pass. */
        boolean allows(String country) {
            if (country == null) {
                return allowUnknown;
            }
            return countries.contains(country) == allowList;
        }
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getDatabase() {
        return database;
    }

    public void setDatabase(String database) {
        this.database = database;
    }

    public String getAllow() {
        return allow;
    }

    public void setAllow(String allow) {
        this.allow = allow;
    }

    public String getDeny() {
        return deny;
    }

    public void setDeny(String deny) {
        this.deny = deny;
    }

    public String getUnknownCountry() {
        return unknownCountry;
    }

    public void setUnknownCountry(String unknownCountry) {
        this.unknownCountry = unknownCountry;
    }

    public String getCountryHeader() {
        return countryHeader;
    }

    public void setCountryHeader(String countryHeader) {
        this.countryHeader = countryHeader;
    }

    public long getReloadInterval() {
        return reloadInterval;
    }

    public void setReloadInterval(long reloadInterval) {
        this.reloadInterval = reloadInterval;
    }
}
