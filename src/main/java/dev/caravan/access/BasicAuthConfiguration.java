package dev.caravan.access;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/** The options of a {@code caravan-basic:} step, each with its one default. */
@UriParams
public final class BasicAuthConfiguration {

    @UriPath(description = "A name for this user set, shown in log lines (and the realm unless realm is set)")
    @Metadata(required = true)
    private String name;
    @UriParam(label = "producer", description = "The htpasswd file with bcrypt hashes (htpasswd -B); re-read when it"
            + " changes")
    private String users = "";
    @UriParam(label = "producer", description = "The realm the challenge names (the browser shows it); the step's name"
            + " when not set")
    private String realm = "";
    @UriParam(label = "producer", description = "A header to send the backend the verified user name in (a copy the"
            + " client sent is always removed)")
    private String userHeader = "";
    @UriParam(label = "producer", defaultValue = "false", description = "Send the client's Authorization header on to"
            + " the backend (by default the password stops here)")
    private boolean keepAuthorization;
    @UriParam(label = "producer", defaultValue = "1000", description = "Milliseconds between checks of the users file"
            + " for changes")
    private long reloadInterval = 1000;

    void validate() {
        FileBackedComponent.requirePath(users, "users");
        if (!realm.chars().allMatch(c -> c >= 0x20 && c < 0x7F && c != '"' && c != '\\')) {
            throw new IllegalArgumentException("realm: printable ASCII without quotes or backslashes, was '" + realm + "'");
        }
        if (!userHeader.isBlank()) {
            HeaderNames.require(userHeader.trim(), "userHeader");
        }
        FileBackedComponent.requirePositive(reloadInterval, "reloadInterval");
    }

    String challenge() {
        return "Basic realm=\"" + (realm.isEmpty() ? name : realm) + "\", charset=\"UTF-8\"";
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getUsers() {
        return users;
    }

    public void setUsers(String users) {
        this.users = users;
    }

    public String getRealm() {
        return realm;
    }

    public void setRealm(String realm) {
        this.realm = realm;
    }

    public String getUserHeader() {
        return userHeader;
    }

    public void setUserHeader(String userHeader) {
        this.userHeader = userHeader;
    }

    public boolean isKeepAuthorization() {
        return keepAuthorization;
    }

    public void setKeepAuthorization(boolean keepAuthorization) {
        this.keepAuthorization = keepAuthorization;
    }

    public long getReloadInterval() {
        return reloadInterval;
    }

    public void setReloadInterval(long reloadInterval) {
        this.reloadInterval = reloadInterval;
    }
}
