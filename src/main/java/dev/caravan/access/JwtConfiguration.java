package dev.caravan.access;

import com.nimbusds.jose.JWSAlgorithm;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The options of a {@code caravan-jwt:} step, each with its one default. */
@UriParams
public final class JwtConfiguration {

    private static final Set<JWSAlgorithm> SUPPORTED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA, JWSAlgorithm.HS256, JWSAlgorithm.HS384,
            JWSAlgorithm.HS512);

    @UriPath(description = "A name for this token check, shown in log lines")
    @Metadata(required = true)
    private String name;
    @UriParam(label = "producer", description = "The verification keys: a JWK set file (re-read when it changes) or"
            + " an http(s) URL (fetched in the background, again when a token names an unknown key)")
    private String jwks = "";
    @UriParam(label = "producer", secret = true, description = "A shared secret (at least 32 bytes) for HS256/384/512"
            + " tokens without a kid; use a property placeholder, not the secret itself")
    private String secret = "";
    @UriParam(label = "producer", defaultValue = "RS256,ES256", description = "Accepted signature algorithms,"
            + " comma-separated; none is never accepted, and a key is only used with algorithms of its own type")
    private String algorithms = "RS256,ES256";
    @UriParam(label = "producer", description = "The iss a token must have (not checked when empty)")
    private String issuer = "";
    @UriParam(label = "producer", description = "Audiences, comma-separated: a token's aud must name one of them (not"
            + " checked when empty)")
    private String audience = "";
    @UriParam(label = "producer", defaultValue = "60", description = "Seconds of clock difference allowed when"
            + " checking exp and nbf")
    private int clockSkew = 60;
    @UriParam(label = "producer", description = "Claims a token must have, comma-separated: 'name' (present) or"
            + " 'name=value' (equal, or one of its values); missing ones get 403")
    private String requiredClaims = "";
    @UriParam(label = "producer", description = "Scopes a token must have, space- or comma-separated (in its scope or"
            + " scp claim); missing ones get 403")
    private String scopes = "";
    @UriParam(label = "producer", description = "A header to send the backend the token's subject (sub) in (a copy"
            + " the client sent is always removed)")
    private String subjectHeader = "";
    @UriParam(label = "producer", description = "Claims to send the backend, comma-separated 'Header: claim' (e.g."
            + " 'X-User-Email: email'); a list is joined with commas; client copies are always removed")
    private String claimHeaders = "";
    @UriParam(label = "producer", defaultValue = "false", description = "Send the client's Authorization header (the"
            + " token) on to the backend")
    private boolean keepAuthorization;
    @UriParam(label = "producer", defaultValue = "1000", description = "Milliseconds between checks of a JWK set file"
            + " for changes")
    private long reloadInterval = 1000;
    @UriParam(label = "producer", defaultValue = "300000", description = "Milliseconds between fetches of a JWK set URL")
    private long jwksRefreshInterval = 300_000;
    @UriParam(label = "producer", defaultValue = "10000", description = "At least this many milliseconds between two"
            + " fetches of a JWK set URL, so tokens naming unknown keys cannot make Caravan hammer it")
    private long jwksMinRefreshInterval = 10_000;

    void validate() {
        if (jwks.isBlank() && secret.isEmpty()) {
            throw new IllegalArgumentException("jwks, secret: a JWK set (file or URL) or a secret is required");
        }
        if (isUrl()) {
            jwksUrl();
        }
        if (!secret.isEmpty() && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("secret: at least 32 bytes are needed for HS256");
        }
        Set<JWSAlgorithm> accepted = acceptedAlgorithms();
        if (!secret.isEmpty() && accepted.stream().noneMatch(JWSAlgorithm.Family.HMAC_SHA::contains)) {
            throw new IllegalArgumentException("secret: set, but algorithms accepts no HS256/384/512");
        }
        if (clockSkew < 0) {
            throw new IllegalArgumentException("clockSkew: must not be negative, was " + clockSkew);
        }
        requiredClaimList();
        claimHeaderMap();
        if (!subjectHeader.isBlank()) {
            HeaderNames.require(subjectHeader.trim(), "subjectHeader");
        }
        FileBackedComponent.requirePositive(reloadInterval, "reloadInterval");
        FileBackedComponent.requirePositive(jwksRefreshInterval, "jwksRefreshInterval");
        FileBackedComponent.requirePositive(jwksMinRefreshInterval, "jwksMinRefreshInterval");
    }

    boolean isUrl() {
        String lower = jwks.trim().toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://");
    }

    URI jwksUrl() {
        try {
            URI uri = URI.create(jwks.trim());
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jwks: '" + jwks.trim() + "' is not a usable URL: " + e.getMessage());
        }
    }

    Set<JWSAlgorithm> acceptedAlgorithms() {
        Set<JWSAlgorithm> accepted = new LinkedHashSet<>();
        for (String name : algorithms.split(",")) {
            if (name.isBlank()) {
                continue;
            }
            JWSAlgorithm algorithm = JWSAlgorithm.parse(name.trim());
            if (!SUPPORTED.contains(algorithm)) {
                throw new IllegalArgumentException("algorithms: '" + name.trim() + "' is not a supported signature"
                        + " algorithm (RS*, PS*, ES*, EdDSA, HS*)");
            }
            accepted.add(algorithm);
        }
        if (accepted.isEmpty()) {
            throw new IllegalArgumentException("algorithms: at least one is needed");
        }
        return accepted;
    }

    Set<String> audiences() {
        Set<String> audiences = new LinkedHashSet<>();
        for (String value : audience.split(",")) {
            if (!value.isBlank()) {
                audiences.add(value.trim());
            }
        }
        return audiences;
    }

    /** Each required claim as [name] or [name, value]. */
    List<String[]> requiredClaimList() {
        List<String[]> claims = new ArrayList<>();
        for (String entry : requiredClaims.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String claim = (eq < 0 ? entry : entry.substring(0, eq)).trim();
            if (claim.isEmpty()) {
                throw new IllegalArgumentException("requiredClaims: '" + entry.trim() + "' names no claim");
            }
            claims.add(eq < 0 ? new String[] {claim} : new String[] {claim, entry.substring(eq + 1).trim()});
        }
        return claims;
    }

    Set<String> scopeSet() {
        Set<String> set = new LinkedHashSet<>();
        for (String scope : scopes.split("[\\s,]+")) {
            if (!scope.isEmpty()) {
                set.add(scope);
            }
        }
        return set;
    }

    /** Header name to claim name, in the order given. */
    Map<String, String> claimHeaderMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : claimHeaders.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String header = colon < 0 ? "" : entry.substring(0, colon).trim();
            String claim = colon < 0 ? "" : entry.substring(colon + 1).trim();
            if (claim.isEmpty()) {
                throw new IllegalArgumentException("claimHeaders: '" + entry.trim() + "' must read 'Header: claim'");
            }
            map.put(HeaderNames.require(header, "claimHeaders"), claim);
        }
        return map;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getJwks() {
        return jwks;
    }

    public void setJwks(String jwks) {
        this.jwks = jwks;
    }

    public String getSecret() {
        return secret;
    }

    public void setSecret(String secret) {
        this.secret = secret;
    }

    public String getAlgorithms() {
        return algorithms;
    }

    public void setAlgorithms(String algorithms) {
        this.algorithms = algorithms;
    }

    public String getIssuer() {
        return issuer;
    }

    public void setIssuer(String issuer) {
        this.issuer = issuer;
    }

    public String getAudience() {
        return audience;
    }

    public void setAudience(String audience) {
        this.audience = audience;
    }

    public int getClockSkew() {
        return clockSkew;
    }

    public void setClockSkew(int clockSkew) {
        this.clockSkew = clockSkew;
    }

    public String getRequiredClaims() {
        return requiredClaims;
    }

    public void setRequiredClaims(String requiredClaims) {
        this.requiredClaims = requiredClaims;
    }

    public String getScopes() {
        return scopes;
    }

    public void setScopes(String scopes) {
        this.scopes = scopes;
    }

    public String getSubjectHeader() {
        return subjectHeader;
    }

    public void setSubjectHeader(String subjectHeader) {
        this.subjectHeader = subjectHeader;
    }

    public String getClaimHeaders() {
        return claimHeaders;
    }

    public void setClaimHeaders(String claimHeaders) {
        this.claimHeaders = claimHeaders;
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

    public long getJwksRefreshInterval() {
        return jwksRefreshInterval;
    }

    public void setJwksRefreshInterval(long jwksRefreshInterval) {
        this.jwksRefreshInterval = jwksRefreshInterval;
    }

    public long getJwksMinRefreshInterval() {
        return jwksMinRefreshInterval;
    }

    public void setJwksMinRefreshInterval(long jwksMinRefreshInterval) {
        this.jwksMinRefreshInterval = jwksMinRefreshInterval;
    }
}
