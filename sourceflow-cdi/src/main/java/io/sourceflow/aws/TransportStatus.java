package io.sourceflow.aws;

import io.sourceflow.config.ProvisioningMode;
import io.sourceflow.config.SourceFlowConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only view of the AWS side of this deployment for health checks and operators' own dashboards:
 * how far startup got, which queues and topics are in use, and what each queue listener is doing.
 * Inject it: {@code @Inject TransportStatus status;}. No method calls AWS or waits for startup.
 */
@Singleton
public final class TransportStatus {

    /** How far startup (provisioning and name resolution) got. */
    public enum Phase {
        /** Startup has not begun yet. */
        NOT_STARTED,
        /** Provisioning and name resolution are running. */
        STARTING,
        /** Startup completed, or the deployment routes nothing through AWS. */
        STARTED,
        /** The last startup attempt failed; see {@link Startup#failure()}. */
        FAILED
    }

    /**
     * The startup state.
     *
     * @param phase how far startup got
     * @param failure the message of the failure that stopped startup, when {@link Phase#FAILED}
     * @param provisioning the configured provisioning mode
     * @param usesAws whether the deployment routes anything through AWS at startup
     */
    public record Startup(Phase phase, Optional<String> failure, ProvisioningMode provisioning, boolean usesAws) {
    }

    /** What kind of AWS resource a {@link Resource} is. */
    public enum ResourceKind {
        /** An SQS queue sent to or polled. */
        QUEUE,
        /** The dead-letter queue of a polled queue (poison messages are sent there). */
        DEAD_LETTER_QUEUE,
        /** An SNS topic published to or subscribed to. */
        TOPIC
    }

    /**
     * An AWS resource this deployment uses.
     *
     * @param kind queue, dead-letter queue or topic
     * @param name the resource's own name (the last segment of its URL or ARN: no account id)
     * @param address the queue URL or topic ARN, to call AWS with (not for reports: it holds the account id)
     */
    public record Resource(ResourceKind kind, String name, String address) {
    }

    /**
     * The state of one queue listener.
     *
     * @param queue the queue's name as routed or listened to
     * @param alive whether its poller runs
     * @param paused whether it is paused ({@link ListenerControl})
     * @param lastPoll when the poller that has gone longest without progress last made some: a receive completed
     *                 or failed, or it waited while paused, idle or while every slot was busy
     * @param inFlight messages received and not yet settled, those waiting for a free handler included (while the
     *                 queue has a backlog, up to three times {@code handlerSlots} more, at most 80, with 10 or more
     *                 handlers), and the slots of a receive waiting for messages
     * @param handlerSlots the handlers that may run at once ({@code max-concurrent-messages})
     * @param handlersPastTimeout handlers still running past {@code sourceflow.aws.handler-timeout} (their messages
     *                            were given up for redelivery; each still holds its slot)
     */
    public record Poller(String queue, boolean alive, boolean paused, Instant lastPoll, int inFlight, int handlerSlots,
                         int handlersPastTimeout) {
    }

    private final AwsStartup runtime;
    private final Listeners listeners;
    private final SourceFlowConfig config;

    @Inject
    TransportStatus(AwsStartup runtime, Listeners listeners, SourceFlowConfig config) {
        this.runtime = runtime;
        this.listeners = listeners;
        this.config = config;
    }

    /** The startup state. */
    public Startup startup() {
        boolean usesAws = !runtime.plan().isEmpty();
        ProvisioningMode mode = config.aws().provisioning();
        if (runtime.isStarted()) {
            return new Startup(Phase.STARTED, Optional.empty(), mode, usesAws);
        }
        if (runtime.isStarting()) {
            return new Startup(Phase.STARTING, Optional.empty(), mode, usesAws);
        }
        Optional<RuntimeException> failure = runtime.startupFailure();
        if (failure.isPresent()) {
            String message = failure.get().getMessage();
            return new Startup(Phase.FAILED, Optional.of(message == null ? failure.get().getClass().getName() : message),
                    mode, usesAws);
        }
        return new Startup(Phase.NOT_STARTED, Optional.empty(), mode, usesAws);
    }

    /**
     * The queues and topics in use: every queue and topic resolved at startup or at a first send, and the
     * dead-letter queue of every polled queue. Empty before startup completed.
     */
    public List<Resource> resources() {
        Optional<Destinations> resolved = runtime.resolvedDestinations();
        if (resolved.isEmpty()) {
            return List.of();
        }
        Destinations destinations = resolved.get();
        List<Resource> resources = new ArrayList<>();
        for (Map.Entry<String, String> queue : destinations.knownQueueUrls().entrySet()) {
            resources.add(new Resource(ResourceKind.QUEUE, ShortNames.of(queue.getValue()), queue.getValue()));
        }
        for (String polled : runtime.plan().polledQueues()) {
            destinations.deadLetterQueueUrl(polled).ifPresent(url ->
                    resources.add(new Resource(ResourceKind.DEAD_LETTER_QUEUE, ShortNames.of(url), url)));
        }
        for (String arn : destinations.knownTopicArns().values()) {
            resources.add(new Resource(ResourceKind.TOPIC, ShortNames.of(arn), arn));
        }
        return List.copyOf(resources);
    }

    /** The listeners' states (empty before startup completed or when nothing is polled). */
    public List<Poller> pollers() {
        return listeners.pollers();
    }
}
