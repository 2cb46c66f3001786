package dev.caravan.access;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code caravan-basic} component: a head-tier step that lets a request on only with a user and password from an
 * htpasswd file. It owns the loaded files and the few threads that run bcrypt checks (never an event loop).
 */
@Component("caravan-basic")
public final class BasicAuthComponent extends FileBackedComponent {

    /** Checks waiting beyond this many get 503: a flood of guesses must not queue up without bound. */
    private static final int QUEUED_CHECKS = 256;

    private ExecutorService checks;

    public BasicAuthComponent() {
        super("caravan-basic");
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        BasicAuthConfiguration configuration = new BasicAuthConfiguration();
        configuration.setName(StepName.require(remaining, "caravan-basic"));
        BasicAuthEndpoint endpoint = new BasicAuthEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        configuration.validate();
        files().read(FileBackedComponent.requirePath(configuration.getUsers(), "users"), HtpasswdUsers.FORMAT);
        return endpoint;
    }

    /** The threads for bcrypt checks, as many as there are cores. */
    synchronized ExecutorService checks() {
        if (checks == null) {
            int threads = Runtime.getRuntime().availableProcessors();
            AtomicInteger count = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(QUEUED_CHECKS), r -> {
                        Thread t = new Thread(r, "caravan-basic-bcrypt-" + count.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            checks = pool;
        }
        return checks;
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (checks != null) {
            checks.shutdownNow();
            checks = null;
        }
        super.doStop();
    }
}
