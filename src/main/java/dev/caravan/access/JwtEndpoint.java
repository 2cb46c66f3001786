package dev.caravan.access;

import dev.caravan.config.ValidationContext;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.caravan.http.Answer;
import dev.caravan.http.DirectStep;
import dev.caravan.http.DirectStepProducer;
import dev.caravan.http.ProxyExchange;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Lets a request on only with a valid bearer JWT ({@code Authorization: Bearer <token>}):
 * {@code caravan-jwt:api?jwks=https://idp.example.com/jwks.json&issuer=...&audience=...}. No token or an invalid one
 * gets 401 with {@code WWW-Authenticate: Bearer error="invalid_token"}; a valid token without a required claim or scope
 * gets 403. The subject and chosen claims can go to the backend in headers (client copies are always removed first).
 * Options: {@link JwtConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-jwt", title = "Caravan JWT Bearer Tokens",
        syntax = "caravan-jwt:name", producerOnly = true, category = Category.HTTP)
public final class JwtEndpoint extends DefaultEndpoint implements DirectStep.Source {

    private static final Logger LOG = LoggerFactory.getLogger(JwtEndpoint.class);

    @UriParam
    private final JwtConfiguration configuration;

    JwtEndpoint(String uri, JwtComponent component, JwtConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public JwtConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public JwtComponent getComponent() {
        return (JwtComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new JwtProducer();
    }

    /** The same check without an exchange (a forward-only route's fast path); started and stopped by its user. */
    @Override
    public DirectStep directStep() {
        return new JwtProducer();
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-jwt is a step: use it in to:");
    }

    private final class JwtProducer extends DirectStepProducer {

        private final String subjectHeader = configuration.getSubjectHeader().trim();
        private final Map<String, String> claimHeaders = configuration.claimHeaderMap();
        private final IdentityHeaders identity;
        private final String insufficient;
        private WatchedFile<JWKSet> file;
        private RemoteJwkSet remote;
        private JwtVerifier verifier;

        JwtProducer() {
            super(JwtEndpoint.this, "caravan-jwt");
            List<String> names = new ArrayList<>(claimHeaders.keySet());
            names.add(subjectHeader);
            identity = IdentityHeaders.of(names);
            String scopes = String.join(" ", configuration.scopeSet());
            insufficient = "Bearer error=\"insufficient_scope\"" + (scopes.isEmpty() ? "" : ", scope=\"" + scopes + "\"");
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            if (ValidationContext.isValidation(getCamelContext())) {
                return; // the files were checked when the endpoint was made; nothing runs here
            }
            Supplier<JWKSet> loaded = JWKSet::new;
            Runnable onUnknownKeyId = () -> { };
            String jwks = configuration.getJwks().trim();
            if (configuration.isUrl()) {
                RemoteJwkSet set = getComponent().remoteSets().acquire(configuration.jwksUrl(),
                        configuration.getJwksRefreshInterval(), configuration.getJwksMinRefreshInterval());
                remote = set;
                loaded = set::current;
                onUnknownKeyId = set::refreshSoon;
            } else if (!jwks.isEmpty()) {
                WatchedFile<JWKSet> watched = getComponent().files().acquire(Path.of(jwks), JwkSets.FORMAT,
                        configuration.getReloadInterval());
                file = watched;
                loaded = watched::current;
            }
            List<JWK> extra = new ArrayList<>();
            if (!configuration.getSecret().isEmpty()) {
                extra.add(new OctetSequenceKey.Builder(configuration.getSecret().getBytes(StandardCharsets.UTF_8))
                        .build());
            }
            verifier = new JwtVerifier(configuration, new JwtKeys(loaded, extra, onUnknownKeyId));
        }

        @Override
        protected void doStop() throws Exception {
            if (file != null) {
                getComponent().files().release(file);
                file = null;
            }
            if (remote != null) {
                getComponent().remoteSets().release(remote);
                remote = null;
            }
            super.doStop();
        }

        @Override
        public Answer decide(ProxyExchange request, Supplier<Message> route) {
            Message message = route.get();
            identity.stripFrom(message);
            String token = bearerToken(message.getHeader("Authorization"));
            if (token == null) {
                return Answer.status(401).header("WWW-Authenticate", "Bearer");
            }
            JwtVerifier.Verdict verdict = verifier.verify(token);
            if (verdict.status() == 401) {
                LOG.debug("caravan-jwt:{} refused a token: {}", configuration.getName(), verdict.reason());
                return Answer.status(401).header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            }
            if (verdict.status() == 403) {
                LOG.debug("caravan-jwt:{} forbade a valid token: no {}", configuration.getName(), verdict.reason());
                return Answer.status(403).header("WWW-Authenticate", insufficient);
            }
            if (!configuration.isKeepAuthorization()) {
                message.removeHeader("Authorization");
            }
            forwardIdentity(message, verdict.claims());
            return null;
        }

        private void forwardIdentity(Message message, JWTClaimsSet claims) {
            if (!subjectHeader.isEmpty() && claims.getSubject() != null) {
                setIfSafe(message, subjectHeader, claims.getSubject());
            }
            claimHeaders.forEach((header, claim) -> {
                Object value = claims.getClaim(claim);
                if (value != null) {
                    setIfSafe(message, header, JwtVerifier.headerValue(value));
                }
            });
        }

        private void setIfSafe(Message message, String header, String value) {
            if (HeaderNames.isSafeValue(value)) {
                message.setHeader(header, value);
            } else {
                LOG.debug("caravan-jwt:{} did not send {}: its value has control characters", configuration.getName(),
                        header);
            }
        }
    }

    /** The token of {@code Authorization: Bearer <token>}, or null when absent, sent twice or another scheme. */
    static String bearerToken(Object header) {
        if (!(header instanceof String value)) {
            return null;
        }
        value = value.strip();
        if (value.length() <= 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = value.substring(7).strip();
        return token.isEmpty() ? null : token;
    }
}
