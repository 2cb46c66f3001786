package dev.caravan.access;

import dev.caravan.config.ValidationContext;

import dev.caravan.http.Answer;
import dev.caravan.http.ProxyExchange;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.DefaultEndpoint;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Lets a request on only with a user and password from an htpasswd file of bcrypt hashes:
 * {@code caravan-basic:admin?users=/etc/caravan/htpasswd}. Missing or wrong credentials get 401 with
 * {@code WWW-Authenticate: Basic realm="..."}. The bcrypt check runs on the component's own threads and the route
 * goes on on its event loop afterwards; credentials checked right before are let on at once. Options:
 * {@link BasicAuthConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-basic", title = "Caravan Basic Authentication",
        syntax = "caravan-basic:name", producerOnly = true, category = Category.HTTP)
public final class BasicAuthEndpoint extends DefaultEndpoint {

    @UriParam
    private final BasicAuthConfiguration configuration;

    BasicAuthEndpoint(String uri, BasicAuthComponent component, BasicAuthConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public BasicAuthConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public BasicAuthComponent getComponent() {
        return (BasicAuthComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new BasicAuthProducer();
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-basic is a step: use it in to:");
    }

    private final class BasicAuthProducer extends DefaultAsyncProducer {

        private final Path path = Path.of(configuration.getUsers().trim());
        private final String userHeader = configuration.getUserHeader().trim();
        private final IdentityHeaders identity = IdentityHeaders.of(List.of(userHeader));
        private final String challenge = configuration.challenge();
        private WatchedFile<HtpasswdUsers> users;

        BasicAuthProducer() {
            super(BasicAuthEndpoint.this);
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            if (ValidationContext.isValidation(getCamelContext())) {
                return; // the files were checked when the endpoint was made; nothing runs here
            }
            users = getComponent().files().acquire(path, HtpasswdUsers.FORMAT, configuration.getReloadInterval());
        }

        @Override
        protected void doStop() throws Exception {
            if (users != null) {
                getComponent().files().release(users);
                users = null;
            }
            super.doStop();
        }

        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            ProxyExchange proxy = ProxyExchange.require(exchange, "caravan-basic");
            Message message = exchange.getMessage();
            identity.stripFrom(message);
            BasicCredentials credentials = BasicCredentials.parse(message.getHeader("Authorization"));
            if (credentials == null) {
                challenge(exchange);
                callback.done(true);
                return true;
            }
            HtpasswdUsers loaded = users.current();
            if (loaded.verifiedBefore(credentials.user(), credentials.password())) {
                letOn(message, credentials);
                callback.done(true);
                return true;
            }
            try {
                getComponent().checks().execute(() -> {
                    boolean right = loaded.verify(credentials.user(), credentials.password());
                    resumeOnLoop(proxy, exchange, callback, () -> {
                        if (right) {
                            letOn(message, credentials);
                        } else {
                            challenge(exchange);
                        }
                    });
                });
            } catch (RejectedExecutionException e) {
                Answer.status(503).header("Retry-After", 1).sendFrom(exchange); // more checks waiting than we run
                callback.done(true);
                return true;
            }
            return false;
        }

        /** The route goes on where it runs: on the exchange's event loop. */
        private void resumeOnLoop(ProxyExchange proxy, Exchange exchange, AsyncCallback callback, Runnable decision) {
            try {
                proxy.eventLoop().execute(() -> {
                    decision.run();
                    callback.done(false);
                });
            } catch (RejectedExecutionException e) {
                // the I/O threads are gone (shutdown): end the exchange here; its consumer frees what it holds
                exchange.setException(e);
                callback.done(false);
            }
        }

        private void letOn(Message message, BasicCredentials credentials) {
            if (!configuration.isKeepAuthorization()) {
                message.removeHeader("Authorization");
            }
            if (!userHeader.isEmpty()) {
                message.setHeader(userHeader, credentials.user());
            }
        }

        private void challenge(Exchange exchange) {
            Answer.status(401).header("WWW-Authenticate", challenge).sendFrom(exchange);
        }
    }
}
