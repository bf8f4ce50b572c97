package io.sourceflow.aws;

import io.sourceflow.aws.provisioning.ProvisionedResources;
import io.sourceflow.aws.provisioning.ResourceProvisioner;
import io.sourceflow.config.ProvisioningMode;
import io.sourceflow.config.SourceFlowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.Optional;

/**
 * Provisioning and name resolution, once per deployment: at application start (per {@code sourceflow.aws.provisioning})
 * when the deployment routes anything through AWS, or at the first send otherwise. Both the sending side and the
 * listeners get their queue URLs and topic ARNs from here. A deployment with no routes touches no AWS API at startup.
 * Internal to SourceFlow; {@link TransportStatus} reports its progress.
 */
@Singleton
public final class AwsStartup {

    private static final System.Logger LOG = System.getLogger(AwsStartup.class.getName());

    private final TransportPlan plan;
    private final SourceFlowConfig config;
    private final Instance<AwsServiceClients> clients;
    private final Instance<SendingClients> sending;
    // volatile: health checks read these without taking the lock that startup holds while provisioning
    private volatile Destinations destinations;
    private volatile boolean starting;
    private volatile RuntimeException startupFailure;
    private boolean stopped;

    @Inject
    AwsStartup(TransportPlan plan, SourceFlowConfig config, Instance<AwsServiceClients> clients, Instance<SendingClients> sending) {
        this.plan = plan;
        this.config = config;
        this.clients = clients;
        this.sending = sending;
    }

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        if (!plan.isEmpty()) {
            destinations();
        }
    }

    synchronized void onStop(@Observes @BeforeDestroyed(ApplicationScoped.class) Object ignored) {
        stopped = true;
    }

    /**
     * The resolved destinations, provisioning first if that has not happened yet (once; a failed attempt is tried
     * again at the next call).
     *
     * @throws IllegalStateException if the application is shutting down
     */
    public synchronized Destinations destinations() {
        if (destinations != null) {
            return destinations;
        }
        if (stopped) {
            throw new IllegalStateException("SourceFlow is stopped: the application is shutting down");
        }
        starting = true;
        ProvisioningMode mode = config.aws().provisioning();
        Destinations resolved;
        try {
            AwsServiceClients aws = clients.get();
            ResourceProvisioner provisioner = new ResourceProvisioner(aws.sqs(), aws.sns(), aws.sts(), aws.region());
            // under MP Fault Tolerance the startup run is retried as a whole, with the SDK's own retries off
            SendingClients calls = sending.get();
            ResourceProvisioner startup = calls.faultToleranceRetries()
                    ? new ResourceProvisioner(calls.sqs(), calls.sns(), aws.sts(), aws.region()) : provisioner;
            ProvisionedResources resources;
            try {
                resources = calls.calls().provision(() -> startup.apply(plan.provisioningPlan(config.aws()), mode));
            } catch (RuntimeException e) {
                throw AwsSendCalls.unwrap(e);
            }
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
        return resolved;
    }

    /** What the deployment does on AWS. */
    public TransportPlan plan() {
        return plan;
    }

    /** Whether startup (provisioning and name resolution) has completed; never blocks. */
    public boolean isStarted() {
        return destinations != null || plan.isEmpty();
    }

    /** Whether provisioning and name resolution are running now. */
    public boolean isStarting() {
        return starting;
    }

    /** Why the last startup attempt failed, if it did and none succeeded since. */
    public Optional<RuntimeException> startupFailure() {
        return Optional.ofNullable(startupFailure);
    }

    /** The resolved destinations if startup completed, without starting. */
    public Optional<Destinations> resolvedDestinations() {
        return Optional.ofNullable(destinations);
    }
}
