package io.sourceflow.aws.outbound;

import io.sourceflow.aws.AwsStartup;
import io.sourceflow.aws.Destinations;
import io.sourceflow.aws.MessageSerializer;
import io.sourceflow.aws.MessageTooLargeException;
import io.sourceflow.aws.MissingEntityKeyException;
import io.sourceflow.aws.OutboundMessage;
import io.sourceflow.aws.SendingClients;
import io.sourceflow.aws.ServiceLimits;
import io.sourceflow.aws.SourceFlowExecutors;
import io.sourceflow.aws.StopOrder;
import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.core.MessageDescriptor;
import io.sourceflow.core.MessageKind;
import io.sourceflow.core.OutboundTransport;
import io.sourceflow.core.Route;
import io.sourceflow.masking.SensitiveDataMasker;
import io.sourceflow.spi.OutboxEntry;
import io.sourceflow.spi.OutboxStore;
import io.sourceflow.telemetry.OutboundObservation;
import io.sourceflow.telemetry.SourceFlowTelemetry;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends routed commands to SQS and routed events to SNS. Each message is encoded, checked against its
 * destination's size limit and FIFO rules before anything is sent, then handed to the destination's
 * batcher (SendMessageBatch / PublishBatch of up to 10).
 */
@Singleton
public final class AwsTransport implements OutboundTransport {

    private final AwsStartup startup;
    private final MessageSerializer serializer;
    private final SendingClients clients;
    private final SourceFlowExecutors executors;
    private final SourceFlowConfig config;
    private final SourceFlowTelemetry telemetry;
    private final SensitiveDataMasker masker = new SensitiveDataMasker();
    /** How long the batchers may take to send what they hold at stop. */
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(10);
    /** How long a relayed outbox row's delete waits for others to share its statement. */
    private static final Duration OUTBOX_DELETE_LINGER = Duration.ofMillis(20);

    private final Map<String, OutboundBatcher> batchers = new ConcurrentHashMap<>();
    /** The transactional outbox's relay, when {@code sourceflow.outbox.enabled}. */
    private final OutboxRelay outbox;

    @Inject
    AwsTransport(AwsStartup startup, MessageSerializer serializer, SendingClients clients,
                 SourceFlowExecutors executors, SourceFlowConfig config, SourceFlowTelemetry telemetry,
                 Instance<OutboxStore> outboxStore) {
        this.startup = startup;
        this.serializer = serializer;
        this.clients = clients;
        this.executors = executors;
        this.config = config;
        this.telemetry = telemetry;
        this.outbox = config.outbox().enabled() && outboxStore.isResolvable()
                ? new OutboxRelay(outboxStore.get(), config.outbox(), this::sendStored, executors.executor(),
                executors.scheduler(), OUTBOX_DELETE_LINGER)
                : null;
    }

    /**
     * With the outbox on, starts relaying rows whose lease ran out (those of a crashed instance, or not sent in time)
     * as the application starts. Static, so that a deployment without the outbox does not create the transport (and
     * its AWS clients) before anything is sent.
     */
    static void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored, SourceFlowConfig config,
                        Instance<AwsTransport> transport) {
        if (config.outbox().enabled()) {
            transport.get().startOutbox();
        }
    }

    private void startOutbox() {
        if (outbox != null) {
            outbox.watch(telemetry);
            outbox.start();
        }
    }

    @Override
    public Prepared prepare(MessageDescriptor descriptor, Object message, String messageId) {
        Route route = descriptor.route().orElseThrow();
        boolean command = descriptor.kind() == MessageKind.COMMAND;
        // the producer span starts here (its context goes into the body) and ends when the queue or topic
        // accepted the message, or when its transaction rolled back (discard)
        OutboundObservation observation = telemetry.send(command, descriptor.logicalName(), route.destination());
        OutboundMessage outbound;
        try {
            outbound = encodeAndCheck(descriptor, message, messageId, route, command, observation);
        } catch (RuntimeException e) {
            observation.end(masker.maskFailure(e, message));
            throw e;
        }
        return new Prepared() {
            @Override
            public String messageId() {
                return outbound.messageId();
            }

            @Override
            public CompletionStage<Void> send() {
                try {
                    batcher(command, route).submit(outbound);
                } catch (RuntimeException e) {
                    outbound.accepted().completeExceptionally(e);
                }
                outbound.accepted().whenComplete((ok, failure) -> observation.end(failure == null ? null
                        : masker.maskFailure(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure, message)));
                return outbound.accepted();
            }

            @Override
            public void discard() {
                observation.discard();
            }

            @Override
            public Optional<Runnable> storeInTransaction() {
                if (outbox == null) {
                    return Optional.empty();
                }
                OutboxEntry entry = new OutboxEntry(command ? OutboxEntry.QUEUE : OutboxEntry.TOPIC, route.destination(),
                        outbound.groupId(), outbound.messageId(), outbound.logicalType(), outbound.body(), outbound.attributes());
                long id = outbox.store(entry);
                return Optional.of(() -> outbox.relayCommitted(id, entry, () -> send().toCompletableFuture()));
            }
        };
    }

    /** Sends a message stored in the outbox as it was stored; the stage completes when it was accepted. */
    private CompletableFuture<Void> sendStored(OutboxEntry entry) {
        OutboundMessage message = new OutboundMessage(entry.messageId(), entry.logicalType(), entry.groupId(), entry.body(),
                entry.attributes(), MessageSerializer.sizeOf(entry.body(), entry.attributes()), new CompletableFuture<>());
        batcher(OutboxEntry.QUEUE.equals(entry.destinationKind()), Route.of(entry.destination(), false)).submit(message);
        return message.accepted();
    }

    private OutboundMessage encodeAndCheck(MessageDescriptor descriptor, Object message, String messageId, Route route, boolean command,
                                           OutboundObservation observation) {
        Optional<String> group = Optional.empty();
        if (route.fifo()) {
            group = descriptor.entityKeyOf(message);
            if (group.isEmpty()) {
                throw new MissingEntityKeyException(descriptor.logicalName(),
                        descriptor.entityKey().map(k -> k.memberName()).orElse("no @EntityKey"), route.destination());
            }
        }
        OutboundMessage outbound = serializer.encode(descriptor, message, group, observation.traceparent(), observation.tracestate(),
                messageId);
        observation.messageId(outbound.messageId(), outbound.size());
        int limit = command ? ServiceLimits.SQS_MAX_BYTES : ServiceLimits.SNS_MAX_BYTES;
        if (outbound.size() > limit) {
            throw new MessageTooLargeException(descriptor.logicalName(), (command ? "queue " : "topic ") + route.destination(),
                    outbound.size(), limit);
        }
        return outbound;
    }

    /**
     * Sends what the batchers still hold before the application's beans go away (the timer that would end their
     * lingers is shut down with them), after the listeners stopped (their handlers may still send).
     */
    void onStop(@Observes(notifyObserver = Reception.IF_EXISTS) @Priority(StopOrder.SENDERS)
                @BeforeDestroyed(ApplicationScoped.class) Object ignored) {
        if (outbox != null) {
            outbox.stop(FLUSH_TIMEOUT);
        }
        long deadline = System.nanoTime() + FLUSH_TIMEOUT.toNanos();
        batchers.values().forEach(batcher -> batcher.flush(deadline));
        if (outbox != null) {
            outbox.flushDeletes();
        }
    }

    private OutboundBatcher batcher(boolean command, Route route) {
        String key = (command ? "queue:" : "topic:") + route.destination();
        OutboundBatcher existing = batchers.get(key);
        if (existing != null) {
            return existing;
        }
        return batchers.computeIfAbsent(key, k -> {
            Destinations destinations = startup.destinations();
            BatchSender sender = command
                    ? new SqsBatchSender(clients.sqs(), clients.calls(), route.destination(), destinations.queueUrl(route.destination()))
                    : new SnsBatchSender(clients.sns(), clients.calls(), route.destination(), destinations.topicArn(route.destination()));
            return new OutboundBatcher(sender, executors.executor(), executors.scheduler(), config.aws().batchLinger(), route.fifo());
        });
    }
}
