package dev.caravan.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a bearer token: a JWS (never an unsecured {@code alg: none} token, never an encrypted one) signed with an
 * accepted algorithm by a key of that algorithm's own type (so an RSA public key can never serve as an HMAC secret),
 * {@code exp} present and not past, {@code nbf} not ahead (both with the clock skew), {@code iss} and {@code aud} as
 * configured; then the required claims and scopes, whose absence is a 403 rather than a 401.
 */
final class JwtVerifier {

    /** Verified tokens remembered beyond this many are all forgotten (a valid token costs a signature to add). */
    private static final int MAX_REMEMBERED = 10_000;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier;
    private final JwtKeys keys;
    private final List<String[]> requiredClaims;
    private final Set<String> scopes;
    private final Map<String, Verified> remembered = new ConcurrentHashMap<>();

    JwtVerifier(JwtConfiguration configuration, JwtKeys keys) {
        this.keys = keys;
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
        this.claimsVerifier = claims;
        this.requiredClaims = configuration.requiredClaimList();
        this.scopes = configuration.scopeSet();
    }

    /**
     * The verdict on a token (the text after {@code Bearer }). A token whose signature was verified before with the
     * same keys is not verified again (a signature check is the costly part); its time claims are checked every time.
     */
    Verdict verify(String token) {
        Object keySet = keys.version();
        Verified earlier = remembered.get(token);
        if (earlier != null && earlier.keySet == keySet) {
            try {
                claimsVerifier.verify(earlier.claims, null); // exp and nbf against the clock now
                return decide(earlier.claims);
            } catch (BadJWTException e) {
                remembered.remove(token);
                return Verdict.invalid(e.getMessage());
            }
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(SignedJWT.parse(token), null);
        } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
            return Verdict.invalid(e.getMessage());
        }
        if (remembered.size() >= MAX_REMEMBERED) {
            remembered.clear();
        }
        remembered.put(token, new Verified(claims, keySet));
        return decide(claims);
    }

    /** What a verified token may do: the required claims and scopes, else 403. */
    private Verdict decide(JWTClaimsSet claims) {
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

    /** A token's verified claims and the key set they were verified with. */
    private record Verified(JWTClaimsSet claims, Object keySet) {
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
