package io.sourceflow.idempotency.jpa;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * Starts {@link IdempotencyCleanup} when the application starts and stops it with the application. It runs on one
 * thread from the container's {@code java:comp/DefaultManagedThreadFactory} (the application's context, managed by
 * the server); where there is none (Java SE), on a daemon thread of its own. Added by {@link JpaIdempotencyExtension}
 * only when {@code sourceflow.idempotency.store=jpa}.
 *
 * <p>Not the container's {@code ManagedScheduledExecutorService}: WildFly refuses and logs every scheduled run at
 * ERROR once the server is suspended for shutdown (WFLYEE0111).
 */
@ApplicationScoped
public class JpaIdempotencyCleanupScheduler {

    static final String MANAGED_THREAD_FACTORY = "java:comp/DefaultManagedThreadFactory";
    private static final System.Logger LOG = System.getLogger(JpaIdempotencyCleanupScheduler.class.getName());

    private TransactionRunner runner;
    private IdempotencyCleanup cleanup;
    private ScheduledExecutorService ownExecutor;

    /** For the container's client proxy. */
    protected JpaIdempotencyCleanupScheduler() {
    }

    @Inject
    JpaIdempotencyCleanupScheduler(@IdempotencyPersistenceUnit TransactionRunner runner) {
        this.runner = runner;
    }

    void start(@Observes @Initialized(ApplicationScoped.class) Object startup) {
        JpaIdempotencySettings settings = JpaIdempotencySettings.read(ConfigProvider.getConfig());
        if (!settings.cleanupEnabled()) {
            LOG.log(Level.INFO, "Idempotency cleanup is off in this instance (" + JpaIdempotencySettings.CLEANUP_ENABLED
                    + "=false); make sure another instance or a database job deletes expired rows");
            return;
        }
        cleanup = new IdempotencyCleanup(runner, Clock.systemUTC(), settings.cleanupBatchSize());
        cleanup.start(executor(), settings.cleanupInterval());
    }

    private ScheduledExecutorService executor() {
        ThreadFactory threads;
        try {
            threads = (ThreadFactory) new InitialContext().lookup(MANAGED_THREAD_FACTORY);
        } catch (NamingException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "No " + MANAGED_THREAD_FACTORY + " (" + e + "); cleaning on a thread of our own");
            threads = r -> {
                Thread t = new Thread(r, "sourceflow-idempotency-cleanup");
                t.setDaemon(true);
                return t;
            };
        }
        ownExecutor = Executors.newSingleThreadScheduledExecutor(threads);
        return ownExecutor;
    }

    /** The running cleanup, for tests and diagnostics; {@code null} when off. */
    IdempotencyCleanup cleanup() {
        return cleanup;
    }

    @PreDestroy
    void stop() {
        if (cleanup != null) {
            cleanup.close();
        }
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
    }
}
