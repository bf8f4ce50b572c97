package io.sourceflow.aws;

import io.sourceflow.config.SourceFlowConfig;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Where pollers, handlers and batch flushes run. In an application server: handlers and AWS calls on the
 * container's {@code ManagedExecutorService} ({@code sourceflow.aws.executor}); each queue's long-running poller and
 * SourceFlow's one timer thread (batch lingers, backoffs, heartbeats) on threads from
 * {@code java:comp/DefaultManagedThreadFactory}, so the server manages every thread and handlers see the
 * application's context. In Java SE (no JNDI): a bounded pool of SourceFlow's own ({@link #javaSeThreads}), shut down
 * with the application.
 *
 * <p>The timer is not the container's {@code ManagedScheduledExecutorService} on purpose: WildFly refuses every
 * scheduled run once the server is suspended for shutdown (WFLYEE0111), which would drop a linger flush or a
 * heartbeat exactly while in-flight work is draining. Tasks submitted to the managed executor still run then.
 */
@Singleton
public final class SourceFlowExecutors {

    private static final System.Logger LOG = System.getLogger(SourceFlowExecutors.class.getName());
    private static final String THREAD_FACTORY_JNDI = "java:comp/DefaultManagedThreadFactory";

    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler;
    private final ThreadFactory pollerThreads;
    private final boolean ownsExecutor;

    @Inject
    SourceFlowExecutors(SourceFlowConfig config, TransportPlan plan) {
        ExecutorService managed = lookup(config.aws().executor(), ExecutorService.class);
        ThreadFactory managedThreads = lookup(THREAD_FACTORY_JNDI, ThreadFactory.class);
        if (managed != null) {
            executor = managed;
            ownsExecutor = false;
            LOG.log(System.Logger.Level.DEBUG, "Using the container's managed executor " + config.aws().executor());
        } else {
            int threads = javaSeThreads(plan, config.aws().maxConcurrentMessages());
            ThreadPoolExecutor own = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    threads("sourceflow-worker"));
            own.allowCoreThreadTimeOut(true);
            executor = own;
            ownsExecutor = true;
            LOG.log(System.Logger.Level.DEBUG, "No managed executor at " + config.aws().executor() + ": using SourceFlow's own "
                    + threads + " threads (Java SE)");
        }
        // a poller runs as long as the application: on a dedicated managed thread, so that it never takes one of
        // the executor's (a small pool, as WildFly's default on 2 cores, would otherwise be starved)
        pollerThreads = managedThreads != null ? managedThreads : threads("sourceflow-poller");
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                managedThreads != null ? managedThreads : threads("sourceflow-scheduler"));
        timer.setRemoveOnCancelPolicy(true); // a heartbeat cancelled per message must not linger in the queue
        scheduler = timer;
    }

    /**
     * Java SE: enough threads that every listener's handlers can all run (and block) at once while sends, deletes and
     * heartbeats still find threads: a handler waiting for its own send must never wait for a thread that only
     * another blocked handler could free. Beyond that, work queues instead of starting more threads.
     */
    static int javaSeThreads(TransportPlan plan, int maxConcurrentMessages) {
        int listeners = plan.listenQueues().size() + plan.eventQueues().size();
        int destinations = plan.sendQueues().size() + plan.topics().size();
        return listeners * maxConcurrentMessages + 4 * destinations + 16;
    }

    private static <T> T lookup(String name, Class<T> type) {
        try {
            Object found = new InitialContext().lookup(name);
            return type.isInstance(found) ? type.cast(found) : null;
        } catch (NamingException | RuntimeException e) {
            return null;
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Runs pollers, handlers and AWS calls. */
    public ExecutorService executor() {
        return executor;
    }

    /** Makes the long-running poller threads (the container's ManagedThreadFactory in a server). */
    public ThreadFactory pollerThreads() {
        return pollerThreads;
    }

    /** Times batch lingers, backoffs and heartbeats (tasks are short and hand work to {@link #executor()}). */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @PreDestroy
    void shutdown() {
        scheduler.shutdownNow();
        if (ownsExecutor) {
            executor.shutdown();
            try {
                if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                executor.shutdownNow();
            }
        }
    }
}
