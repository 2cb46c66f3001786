package dev.caravan.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a bearer token: a JWS (never an unsecured {@code alg: none} token, never an encrypted one) signed with an
 * accepted algorithm by a key of that algorithm's own type (so an RSA public key can never serve as an HMAC secret),
 * {@code exp} present and not past, {@code nbf} not ahead (both with the clock skew), {@code iss} and {@code aud} as
 * configured; then the required claims and scopes, whose absence is a 403 rather than a 401.
 */
final class JwtVerifier {

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final List<String[]> requiredClaims;
    private final Set<String> scopes;

    JwtVerifier(JwtConfiguration configuration, JwtKeys keys) {
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(configuration.acceptedAlgorithms(), keys));
        // plain JWTs and RFC 9068 access tokens
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT,
                new JOSEObjectType("at+jwt"), null));
        Set<String> audiences = configuration.audiences();
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        Set<String> required = new HashSet<>(Set.of("exp"));
        if (!configuration.getIssuer().isBlank()) {
            exact.issuer(configuration.getIssuer().trim());
            required.add("iss");
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                audiences.isEmpty() ? null : audiences, exact.build(), required, null);
        claims.setMaxClockSkew(configuration.getClockSkew());
        processor.setJWTClaimsSetVerifier(claims);
        this.requiredClaims = configuration.requiredClaimList();
        this.scopes = configuration.scopeSet();
    }

    /** The verdict on a token (the text after {@code Bearer }). */
    Verdict verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(SignedJWT.parse(token), null);
        } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
            return Verdict.invalid(e.getMessage());
        }
        for (String[] claim : requiredClaims) {
            Object value = claims.getClaim(claim[0]);
            if (value == null || claim.length == 2 && !holds(value, claim[1])) {
                return Verdict.forbidden("claim " + claim[0]);
            }
        }
        if (!scopes.isEmpty() && !scopesOf(claims).containsAll(scopes)) {
            return Verdict.forbidden("scope");
        }
        return Verdict.valid(claims);
    }

    private static boolean holds(Object value, String expected) {
        if (value instanceof Collection<?> values) {
            return values.stream().anyMatch(v -> expected.equals(String.valueOf(v)));
        }
        return expected.equals(String.valueOf(value));
    }

    /** OAuth scopes: {@code scope} as a space-separated string, or {@code scp} as a list or string. */
    private static Set<String> scopesOf(JWTClaimsSet claims) {
        Set<String> granted = new HashSet<>();
        for (String name : List.of("scope", "scp")) {
            Object value = claims.getClaim(name);
            if (value instanceof Collection<?> values) {
                values.forEach(v -> granted.add(String.valueOf(v)));
            } else if (value != null) {
                granted.addAll(List.of(String.valueOf(value).trim().split("\\s+")));
            }
        }
        return granted;
    }

    /** A claim as a header value: text as it is, a list joined with commas, anything else in its JSON form. */
    static String headerValue(Object claim) {
        if (claim instanceof Collection<?> values) {
            List<String> parts = new ArrayList<>();
            values.forEach(v -> parts.add(String.valueOf(v)));
            return String.join(",", parts);
        }
        if (claim instanceof Map<?, ?> map) {
            @SuppressWarnings("unchecked")
            Map<String, Object> object = (Map<String, Object>) map;
            return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(object);
        }
        if (claim instanceof java.util.Date date) {
            return Long.toString(date.getTime() / 1000);
        }
        return String.valueOf(claim);
    }

    /**
     * @param claims the verified claims, or null when refused
     * @param status 0 when valid, else 401 (no valid token) or 403 (valid, but not allowed)
     * @param reason why it was refused, for a debug log line
     */
    record Verdict(JWTClaimsSet claims, int status, String reason) {

        static Verdict valid(JWTClaimsSet claims) {
            return new Verdict(claims, 0, null);
        }

        static Verdict invalid(String reason) {
            return new Verdict(null, 401, reason);
        }

        static Verdict forbidden(String reason) {
            return new Verdict(null, 403, reason);
        }
    }
}
