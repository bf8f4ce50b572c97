package io.sourceflow.aws.inbound;

import io.sourceflow.RejectMessage;
import io.sourceflow.aws.DataEncryption;
import io.sourceflow.aws.MessageSerializer;
import io.sourceflow.aws.TransportPlan;
import io.sourceflow.aws.WireAttributes;
import io.sourceflow.aws.kms.DecryptionFailedException;
import io.sourceflow.aws.kms.EncryptionContext;
import io.sourceflow.aws.kms.KmsUnavailableException;
import io.sourceflow.aws.kms.MessageEncryptor;
import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.core.Completions;
import io.sourceflow.core.HandlerDispatcher;
import io.sourceflow.core.HandlerInvoker;
import io.sourceflow.core.HandlerRegistry;
import io.sourceflow.core.MessageDescriptor;
import io.sourceflow.core.MessageKind;
import io.sourceflow.masking.SensitiveDataMasker;
import io.sourceflow.telemetry.InboundObservation;
import io.sourceflow.telemetry.SourceFlowTelemetry;
import io.sourceflow.wire.CloudEvent;
import io.sourceflow.wire.SnsEnvelope;
import io.sourceflow.wire.UndecodableMessageException;
import io.sourceflow.wire.WireText;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

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
    private final TransportPlan plan;
    private final boolean encryptionRequired;
    /** Polled queue to the logical types routed to it (computed at the queue's first message). */
    private final Map<String, Set<String>> acceptedTypes = new ConcurrentHashMap<>();

    @Inject
    InboundProcessor(HandlerRegistry registry, MessageSerializer serializer, HandlerDispatcher dispatcher,
                     DataEncryption encryption, TransportPlan plan, SourceFlowConfig config, SourceFlowTelemetry telemetry,
                     IdempotencyGuard idempotency) {
        this.telemetry = telemetry;
        this.registry = registry;
        this.serializer = serializer;
        this.dispatcher = dispatcher;
        this.encryption = encryption;
        this.idempotency = idempotency;
        this.plan = plan;
        this.encryptionRequired = config.aws().encryption().required();
    }

    /** Processes one message from a queue; the stage never fails, it carries the outcome. */
    CompletionStage<InboundOutcome> process(String queueName, Received message) {
        InboundObservation observation = telemetry.receive(queueName, message.receiveCount());
        CompletionStage<InboundOutcome> outcome;
        try {
            outcome = process(queueName, message, observation);
        } catch (Throwable e) { // never leave the observation (and the in-flight gauge) open
            outcome = CompletableFuture.completedFuture(InboundOutcome.retry(message.messageId(), e));
        }
        outcome.whenComplete((o, e) -> observation.end(o == null ? InboundObservation.Result.RETRY
                : InboundObservation.Result.valueOf(o.disposition().name()), o == null ? null : o.reason(), o == null ? e : o.failure()));
        return outcome;
    }

    private CompletionStage<InboundOutcome> process(String queueName, Received message, InboundObservation observation) {
        String messageId = message.messageId();
        CloudEvent event;
        MessageDescriptor descriptor;
        Object data;
        try {
            event = serializer.read(envelope.unwrap(message.message().body()).body());
            messageId = event.id();
            String type = event.type();
            descriptor = registry.byLogicalName(type).orElse(null);
            // only allow-listed names become metric and span attributes: the wire could carry any number of others
            observation.decoded(descriptor == null ? InboundObservation.UNKNOWN_TYPE : type, event.id(), event.traceparent(), event.tracestate());
            if (descriptor == null) {
                throw new UndecodableMessageException(UndecodableMessageException.Reason.UNKNOWN_TYPE, "logical type '"
                        + WireText.escape(type) + "' is not handled by this deployment (queue " + queueName + ")");
            }
            if (!acceptedTypes.computeIfAbsent(queueName, q -> plan.acceptedTypes(q, registry.handledTypes())).contains(type)) {
                throw new UndecodableMessageException(UndecodableMessageException.Reason.NOT_ROUTED_HERE, "logical type '"
                        + type + "' is not routed to queue " + queueName + descriptor.route().map(route -> " (its route is "
                        + route.destination() + ")").orElse("") + "; only the types routed to a queue run handlers from it");
            }
            String dataJson = event.dataJson();
            if (MessageEncryptor.ENCRYPTED_DATA_CONTENT_TYPE.equals(event.dataContentType())) {
                dataJson = decrypt(queueName, event, descriptor);
            } else if (encryptionRequired) {
                throw new UndecodableMessageException(UndecodableMessageException.Reason.NOT_ENCRYPTED, "the data of "
                        + type + " is not encrypted (datacontenttype " + WireText.escape(String.valueOf(event.dataContentType()))
                        + ") and sourceflow.aws.encryption.required=true");
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
                message.receiveCount(), queueName, event.time() != null ? event.time() : message.sentAt(), event.extensions(),
                foreignAttributes(message.message().messageAttributes()));
        String id = messageId;
        boolean oneSynchronousHandler = handlers.size() == 1 && !handlers.get(0).isAsync();
        return idempotency.process(queueName, id, event.type(), oneSynchronousHandler, () -> observation.inContext(() -> dispatcher.dispatchAll(handlers, data, context)).handle((ignored, failure) -> {
            if (failure == null) {
                return InboundOutcome.handled(id);
            }
            Throwable cause = Completions.unwrap(failure);
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
        List<String> destinations = plan.encryptionDestinations(queueName, event.type(), descriptor.route());
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

    /** {@code MALFORMED_JSON} becomes {@code MalformedJson}: the documented reason codes. */
    static String reasonCode(UndecodableMessageException.Reason reason) {
        StringBuilder code = new StringBuilder();
        for (String part : reason.name().split("_")) {
            code.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return code.toString();
    }

    /** The message attributes a producer set, other than SourceFlow's own: String and Number ones, as text. */
    private static Map<String, String> foreignAttributes(Map<String, MessageAttributeValue> attributes) {
        if (attributes.isEmpty()) {
            return Map.of();
        }
        Map<String, String> foreign = new TreeMap<>();
        attributes.forEach((name, value) -> {
            if (!name.startsWith(WireAttributes.PREFIX) && value.stringValue() != null) {
                foreign.put(name, value.stringValue());
            }
        });
        return foreign;
    }
}
