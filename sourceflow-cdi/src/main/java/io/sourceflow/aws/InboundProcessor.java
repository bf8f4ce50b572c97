package io.sourceflow.aws;

import io.sourceflow.RejectMessage;
import io.sourceflow.aws.kms.DecryptionFailedException;
import io.sourceflow.aws.kms.EncryptionContext;
import io.sourceflow.aws.kms.KmsUnavailableException;
import io.sourceflow.aws.kms.MessageEncryptor;
import io.sourceflow.cdi.HandlerDispatcher;
import io.sourceflow.cdi.HandlerInvoker;
import io.sourceflow.cdi.HandlerRegistry;
import io.sourceflow.cdi.MessageDescriptor;
import io.sourceflow.cdi.MessageKind;
import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.masking.SensitiveDataMasker;
import io.sourceflow.telemetry.InboundObservation;
import io.sourceflow.telemetry.SourceFlowTelemetry;
import io.sourceflow.wire.CloudEvent;
import io.sourceflow.wire.SnsEnvelope;
import io.sourceflow.wire.UndecodableMessageException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Turns one received SQS message into a handler call: unwraps an SNS envelope, decodes the CloudEvent,
 * maps its logical type through the allow-list, decrypts encrypted data, binds the data and runs the
 * handlers. Messages that can never succeed (not JSON, unknown type, wrong shape, data that cannot be
 * decrypted, rejected by the handler) come back as dead letters with a reason; handler failures and KMS
 * outages come back as retries. Details and failures in outcomes have the message's
 * {@link io.sourceflow.Sensitive} values masked.
 *
 * <p>Encrypted data is bound to its destination (docs/encryption.md, "Pipeline"): for a command, the
 * queue it is received from; for an event, the topic it was published to, which is the topic among those
 * this event queue is subscribed to whose filter lets the event's type through (the type's own route
 * first, should several).
 */
@Singleton
public final class InboundProcessor {

    private final HandlerRegistry registry;
    private final MessageSerializer serializer;
    private final HandlerDispatcher dispatcher;
    private final DataEncryption encryption;
    private final IdempotencyGuard idempotency;
    private final SourceFlowTelemetry telemetry;
    private final SensitiveDataMasker masker = new SensitiveDataMasker();
    private final SnsEnvelope envelope = new SnsEnvelope();
    /** Event queue name to (topic to the logical types its subscription lets through). */
    private final Map<String, Map<String, SortedSet<String>>> eventQueues;

    @Inject
    InboundProcessor(HandlerRegistry registry, MessageSerializer serializer, HandlerDispatcher dispatcher,
                     DataEncryption encryption, SourceFlowConfig config, SourceFlowTelemetry telemetry,
                     IdempotencyGuard idempotency) {
        this.telemetry = telemetry;
        this.registry = registry;
        this.serializer = serializer;
        this.dispatcher = dispatcher;
        this.encryption = encryption;
        this.idempotency = idempotency;
        this.eventQueues = TransportPlan.of(registry, config).eventQueues();
    }

    /** Processes one message from a queue; the stage never fails, it carries the outcome. */
    CompletionStage<InboundOutcome> process(String queueName, Message message) {
        InboundObservation observation = telemetry.receive(queueName, receiveCount(message));
        CompletionStage<InboundOutcome> outcome = process(queueName, message, observation);
        outcome.whenComplete((o, e) -> observation.end(o == null ? InboundObservation.Result.RETRY
                : InboundObservation.Result.valueOf(o.disposition().name()), o == null ? null : o.reason(), o == null ? e : o.failure()));
        return outcome;
    }

    private CompletionStage<InboundOutcome> process(String queueName, Message message, InboundObservation observation) {
        String messageId = message.messageId();
        CloudEvent event;
        MessageDescriptor descriptor;
        Object data;
        try {
            event = serializer.read(envelope.unwrap(message.body()).body());
            messageId = event.id();
            observation.decoded(event.type(), event.id(), event.traceparent(), event.tracestate());
            String type = event.type();
            descriptor = registry.byLogicalName(type).orElseThrow(() -> new UndecodableMessageException(
                    UndecodableMessageException.Reason.UNKNOWN_TYPE, "logical type '" + type
                    + "' is not handled by this deployment (queue " + queueName + ")"));
            String dataJson = event.dataJson();
            if (MessageEncryptor.ENCRYPTED_DATA_CONTENT_TYPE.equals(event.dataContentType())) {
                dataJson = decrypt(queueName, event, descriptor);
            }
            data = serializer.data(dataJson, descriptor.type());
        } catch (UndecodableMessageException e) {
            return CompletableFuture.completedFuture(InboundOutcome.deadLetter(messageId, reasonCode(e.reason()), e.getMessage(), e));
        } catch (DecryptionFailedException e) {
            return CompletableFuture.completedFuture(InboundOutcome.deadLetter(messageId,
                    DecryptionFailedException.DEAD_LETTER_REASON, e.getMessage(), e));
        } catch (KmsUnavailableException e) {
            return CompletableFuture.completedFuture(InboundOutcome.retry(messageId, e));
        }
        List<HandlerInvoker> handlers = descriptor.kind() == MessageKind.COMMAND
                ? registry.commandHandler(descriptor.type()).map(List::of).orElse(List.of())
                : registry.eventHandlers(descriptor.type());
        AwsMessageContext context = new AwsMessageContext(event.id(), event.type(), Optional.ofNullable(event.subject()),
                receiveCount(message), queueName, event.time() != null ? event.time() : sentTimestamp(message));
        String id = messageId;
        boolean oneSynchronousHandler = handlers.size() == 1 && !handlers.get(0).isAsync();
        return idempotency.process(queueName, id, event.type(), oneSynchronousHandler, () -> observation.inContext(() -> runAll(handlers, data, context)).handle((ignored, failure) -> {
            if (failure == null) {
                return InboundOutcome.handled(id);
            }
            Throwable cause = unwrap(failure);
            Throwable safe = masker.maskFailure(cause, data);
            if (cause instanceof RejectMessage rejected) {
                String detail = masker.mask(String.valueOf(rejected.getMessage()), data);
                return InboundOutcome.deadLetter(id, "Rejected", detail, safe == cause ? rejected : maskedReject(detail, safe));
            }
            return InboundOutcome.retry(id, safe);
        }));
    }

    /** A masked rejection that keeps the class {@link RejectMessage} (the DLQ error attribute names the class). */
    private static RejectMessage maskedReject(String detail, Throwable masked) {
        RejectMessage copy = new RejectMessage(detail, masked.getCause());
        copy.setStackTrace(masked.getStackTrace());
        for (Throwable suppressed : masked.getSuppressed()) {
            copy.addSuppressed(suppressed);
        }
        return copy;
    }

    /**
     * Decrypts the data of an encrypted message for the destination it was sent to.
     *
     * @throws DecryptionFailedException if it can never be decrypted here (also when no destination this
     *                                   queue receives from could have sent the type)
     * @throws KmsUnavailableException   if KMS cannot answer now
     */
    private String decrypt(String queueName, CloudEvent event, MessageDescriptor descriptor)
            throws DecryptionFailedException, KmsUnavailableException {
        List<String> destinations = destinations(queueName, event.type(), descriptor);
        DecryptionFailedException first = null;
        for (String destination : destinations) {
            try {
                return encryption.decrypt(event.dataJson(), new EncryptionContext(event.id(), event.type(), destination));
            } catch (DecryptionFailedException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first == null) {
            throw DecryptionFailedException.noDestination(event.type(), queueName);
        }
        throw first;
    }

    /** The destinations a message of this type on this queue may have been sent to, most likely first. */
    private List<String> destinations(String queueName, String type, MessageDescriptor descriptor) {
        Set<String> result = new LinkedHashSet<>();
        Map<String, SortedSet<String>> topics = eventQueues.get(queueName);
        if (topics == null) {
            result.add(DataEncryption.shortName(queueName));
        } else {
            List<String> letThrough = new ArrayList<>();
            topics.forEach((topic, types) -> {
                if (types.contains(type)) {
                    letThrough.add(DataEncryption.shortName(topic));
                }
            });
            descriptor.route().map(route -> DataEncryption.shortName(route.destination()))
                    .filter(letThrough::contains).ifPresent(result::add);
            result.addAll(letThrough);
        }
        return List.copyOf(result);
    }

    /** Runs every handler in turn, even after one failed; the first failure wins. */
    private CompletionStage<Void> runAll(List<HandlerInvoker> handlers, Object data, AwsMessageContext context) {
        if (handlers.size() == 1) {
            return dispatcher.dispatch(handlers.get(0), data, context);
        }
        CompletableFuture<Throwable> chain = CompletableFuture.completedFuture(null);
        for (HandlerInvoker handler : handlers) {
            chain = chain.thenCompose(first -> dispatcher.dispatch(handler, data, context)
                    .handle((v, failure) -> {
                        if (failure == null) {
                            return first;
                        }
                        if (first == null) {
                            return unwrap(failure);
                        }
                        first.addSuppressed(unwrap(failure));
                        return first;
                    }));
        }
        return chain.thenCompose(first -> first == null
                ? CompletableFuture.<Void>completedFuture(null) : CompletableFuture.<Void>failedFuture(first));
    }

    /** The deployment's telemetry (the listener counts dead letters with it). */
    SourceFlowTelemetry telemetry() {
        return telemetry;
    }

    static int receiveCount(Message message) {
        String count = message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        try {
            return count == null ? 1 : Integer.parseInt(count);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static Instant sentTimestamp(Message message) {
        String sent = message.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP);
        try {
            return sent == null ? Instant.now() : Instant.ofEpochMilli(Long.parseLong(sent));
        } catch (NumberFormatException e) {
            return Instant.now();
        }
    }

    /** {@code MALFORMED_JSON} becomes {@code MalformedJson}: the documented reason codes. */
    static String reasonCode(UndecodableMessageException.Reason reason) {
        StringBuilder code = new StringBuilder();
        for (String part : reason.name().split("_")) {
            code.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return code.toString();
    }

    private static Throwable unwrap(Throwable failure) {
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
    }
}
