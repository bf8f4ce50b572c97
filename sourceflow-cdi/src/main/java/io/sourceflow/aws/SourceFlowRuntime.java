package io.sourceflow.aws;

import io.sourceflow.aws.provisioning.ProvisionedResources;
import io.sourceflow.aws.provisioning.ProvisioningMode;
import io.sourceflow.aws.provisioning.ResourceProvisioner;
import io.sourceflow.cdi.HandlerRegistry;
import io.sourceflow.config.SourceFlowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Starts and stops the AWS side of a deployment. At application start: provisioning (per
 * {@code sourceflow.aws.provisioning}), name resolution, then one listener per polled queue. At
 * application stop: listeners stop polling and running handlers finish within
 * {@code sourceflow.aws.shutdown-timeout}. A deployment with no routes touches no AWS API at startup.
 */
@Singleton
public final class SourceFlowRuntime {

    private static final System.Logger LOG = System.getLogger(SourceFlowRuntime.class.getName());

    private final HandlerRegistry registry;
    private final SourceFlowConfig config;
    private final Instance<AwsServiceClients> clients;
    private final Instance<SourceFlowExecutors> executors;
    private final Instance<InboundProcessor> processor;
    private final TransportPlan plan;
    private final List<QueueListener> listeners = new CopyOnWriteArrayList<>();
    // volatile: health checks read these without taking the lock that startup holds while provisioning
    private volatile Destinations destinations;
    private volatile boolean starting;
    private volatile RuntimeException startupFailure;
    private boolean stopped;

    @Inject
    SourceFlowRuntime(HandlerRegistry registry, SourceFlowConfig config, Instance<AwsServiceClients> clients,
                      Instance<SourceFlowExecutors> executors, Instance<InboundProcessor> processor) {
        this.registry = registry;
        this.config = config;
        this.clients = clients;
        this.executors = executors;
        this.processor = processor;
        this.plan = TransportPlan.of(registry, config);
    }

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        if (!plan.isEmpty()) {
            start();
        }
    }

    void onStop(@Observes @BeforeDestroyed(ApplicationScoped.class) Object ignored) {
        stop();
    }

    /** Provisions and starts listening, once; later calls return the resolved destinations. */
    synchronized Destinations start() {
        if (destinations != null) {
            return destinations;
        }
        if (stopped) {
            throw new IllegalStateException("SourceFlow is stopped: the application is shutting down");
        }
        starting = true;
        AwsServiceClients aws;
        ProvisioningMode mode = config.aws().provisioning();
        Destinations resolved;
        try {
            aws = clients.get();
            ResourceProvisioner provisioner = new ResourceProvisioner(aws.sqs(), aws.sns(), aws.sts(), aws.region());
            ProvisionedResources resources = provisioner.apply(plan.provisioningPlan(config.aws()), mode);
            resolved = new Destinations(provisioner, mode, config.aws(), resources);
        } catch (RuntimeException e) {
            startupFailure = e;
            throw e;
        } finally {
            starting = false;
        }
        startupFailure = null;
        destinations = resolved;
        LOG.log(System.Logger.Level.INFO, "SourceFlow ready: provisioning " + mode.name().toLowerCase()
                + ", sending to " + plan.sendQueues() + " and " + plan.topics() + ", polling " + plan.polledQueues());
        for (String queue : plan.polledQueues()) {
            QueueListener listener = new QueueListener(queue, destinations.queueUrl(queue), destinations.deadLetterQueueUrl(queue),
                    aws.sqs(), processor.get(), executors.get().executor(), executors.get().scheduler(), config.aws());
            listeners.add(listener);
            listener.start();
        }
        return destinations;
    }

    /** Stops every listener gracefully. */
    synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        for (QueueListener listener : listeners) {
            if (!listener.stop(config.aws().shutdownTimeout())) {
                LOG.log(System.Logger.Level.WARNING, "Handlers of queue " + listener.queueName() + " did not finish within "
                        + config.aws().shutdownTimeout() + "; their messages will be delivered again");
            }
        }
    }

    HandlerRegistry registry() {
        return registry;
    }

    /** The listeners started so far (empty before start or when nothing is polled); never blocks. */
    List<QueueListener> listeners() {
        return List.copyOf(listeners);
    }

    /** The destinations, starting the runtime if needed. */
    Destinations destinations() {
        return start();
    }

    /** Whether startup (provisioning and name resolution) has completed; never blocks. */
    boolean isStarted() {
        return destinations != null || plan.isEmpty();
    }

    /** Whether provisioning and name resolution are running now. */
    boolean isStarting() {
        return starting;
    }

    /** Why the last startup attempt failed, if it did and none succeeded since. */
    Optional<RuntimeException> startupFailure() {
        return Optional.ofNullable(startupFailure);
    }

    /** The resolved destinations if startup completed, without starting. */
    Optional<Destinations> resolvedDestinations() {
        return Optional.ofNullable(destinations);
    }

    TransportPlan plan() {
        return plan;
    }
}
