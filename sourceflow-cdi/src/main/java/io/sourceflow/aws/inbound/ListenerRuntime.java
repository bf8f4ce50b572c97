package io.sourceflow.aws.inbound;

import io.sourceflow.aws.AwsServiceClients;
import io.sourceflow.aws.AwsStartup;
import io.sourceflow.aws.Destinations;
import io.sourceflow.aws.Listeners;
import io.sourceflow.aws.SourceFlowExecutors;
import io.sourceflow.aws.StopOrder;
import io.sourceflow.aws.TransportStatus;
import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.telemetry.SourceFlowTelemetry;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Starts one {@link QueueListener} per polled queue when the application has started (after provisioning), and stops
 * them all when it stops: they stop receiving at once, then share one {@code sourceflow.aws.shutdown-timeout} for
 * their running handlers. Implements the {@link Listeners} the public face ({@code ListenerControl},
 * {@code TransportStatus}) reports and controls.
 */
@Singleton
public final class ListenerRuntime implements Listeners {

    private static final System.Logger LOG = System.getLogger(ListenerRuntime.class.getName());

    private final AwsStartup startup;
    private final SourceFlowConfig config;
    private final Instance<AwsServiceClients> clients;
    private final Instance<SourceFlowExecutors> executors;
    private final Instance<InboundProcessor> processor;
    private final Instance<IdempotencyGuard> idempotency;
    private final SourceFlowTelemetry telemetry;
    private final List<QueueListener> listeners = new CopyOnWriteArrayList<>();
    private boolean started;
    private boolean stopped;

    @Inject
    ListenerRuntime(AwsStartup startup, SourceFlowConfig config, Instance<AwsServiceClients> clients,
                    Instance<SourceFlowExecutors> executors, Instance<InboundProcessor> processor,
                    Instance<IdempotencyGuard> idempotency, SourceFlowTelemetry telemetry) {
        this.startup = startup;
        this.config = config;
        this.clients = clients;
        this.executors = executors;
        this.processor = processor;
        this.idempotency = idempotency;
        this.telemetry = telemetry;
    }

    synchronized void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        if (started || stopped || startup.plan().polledQueues().isEmpty()) {
            return;
        }
        Destinations destinations = startup.destinations();
        started = true;
        SourceFlowExecutors threads = executors.get();
        for (String queue : startup.plan().polledQueues()) {
            Duration visibility = visibilityTimeout(queue, destinations);
            idempotency.get().lease(queue, visibility);
            QueueListener listener = new QueueListener(queue, destinations.queueUrl(queue), destinations.deadLetterQueueUrl(queue),
                    clients.get().sqs(), processor.get(), telemetry, threads.executor(), threads.pollerThreads(),
                    threads.scheduler(), config.aws(), visibility);
            listeners.add(listener);
            listener.start();
            QueueDepth.watch(telemetry, clients.get().sqs(), queue, destinations, threads.executor());
        }
    }

    /**
     * The visibility timeout the heartbeat and the idempotency lease of a queue are timed from: the configured one, or
     * the queue's own when that is shorter (a queue not provisioned by SourceFlow, or given by URL), with a warning.
     */
    private Duration visibilityTimeout(String queue, Destinations destinations) {
        Duration configured = config.aws().visibilityTimeout();
        Duration actual = destinations.visibilityTimeout(queue).orElse(configured);
        if (actual.compareTo(configured) >= 0) {
            return configured;
        }
        LOG.log(System.Logger.Level.WARNING, "Queue " + queue + " has VisibilityTimeout " + actual.toSeconds() + " s, shorter "
                + "than sourceflow.aws.visibility-timeout (" + configured.toSeconds() + " s): its heartbeat and idempotency "
                + "lease are timed from " + actual.toSeconds() + " s. Align the two");
        return actual;
    }

    synchronized void onStop(@Observes @Priority(StopOrder.LISTENERS) @BeforeDestroyed(ApplicationScoped.class) Object ignored) {
        if (stopped) {
            return;
        }
        stopped = true;
        listeners.forEach(QueueListener::requestStop);
        long deadline = System.nanoTime() + config.aws().shutdownTimeout().toNanos();
        for (QueueListener listener : listeners) {
            if (!listener.awaitStop(deadline)) {
                LOG.log(System.Logger.Level.WARNING, "Handlers of queue " + listener.queueName() + " did not finish within "
                        + config.aws().shutdownTimeout() + "; their messages will be delivered again");
            }
        }
    }

    @Override
    public List<TransportStatus.Poller> pollers() {
        return listeners.stream().map(QueueListener::state).toList();
    }

    @Override
    public void pause(String queue) {
        listeners(queue).forEach(QueueListener::pause);
    }

    @Override
    public void resume(String queue) {
        listeners(queue).forEach(QueueListener::resume);
    }

    @Override
    public boolean awaitPaused(String queue, Duration timeout) throws InterruptedException {
        return listeners(queue).get(0).awaitNoReceive(System.nanoTime() + timeout.toNanos());
    }

    /** The listener of one queue, or every listener for {@code null}. */
    private List<QueueListener> listeners(String queue) {
        if (queue == null) {
            return List.copyOf(listeners);
        }
        return List.of(listeners.stream().filter(l -> l.queueName().equals(queue)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("This deployment does not poll queue '" + queue + "'; it polls "
                        + listeners.stream().map(QueueListener::queueName).toList())));
    }
}
