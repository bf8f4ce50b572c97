package io.sourceflow.aws;

import io.sourceflow.RejectMessage;
import io.sourceflow.cdi.HandlerDispatcher;
import io.sourceflow.cdi.HandlerInvoker;
import io.sourceflow.cdi.HandlerRegistry;
import io.sourceflow.cdi.MessageDescriptor;
import io.sourceflow.cdi.MessageKind;
import io.sourceflow.wire.CloudEvent;
import io.sourceflow.wire.SnsEnvelope;
import io.sourceflow.wire.UndecodableMessageException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Turns one received SQS message into a handler call: unwraps an SNS envelope, decodes the CloudEvent,
 * maps its logical type through the allow-list, binds the data and runs the handlers. Messages that can
 * never succeed (not JSON, unknown type, wrong shape, rejected by the handler) come back as dead letters
 * with a reason; handler failures come back as retries.
 */
@Singleton
public final class InboundProcessor {

    private final HandlerRegistry registry;
    private final MessageSerializer serializer;
    private final HandlerDispatcher dispatcher;
    private final SnsEnvelope envelope = new SnsEnvelope();

    @Inject
    InboundProcessor(HandlerRegistry registry, MessageSerializer serializer, HandlerDispatcher dispatcher) {
        this.registry = registry;
        this.serializer = serializer;
        this.dispatcher = dispatcher;
    }

    /** Processes one message from a queue; the stage never fails, it carries the outcome. */
    CompletionStage<InboundOutcome> process(String queueName, Message message) {
        String messageId = message.messageId();
        CloudEvent event;
        MessageDescriptor descriptor;
        Object data;
        try {
            event = serializer.read(envelope.unwrap(message.body()).body());
            messageId = event.id();
            String type = event.type();
            descriptor = registry.byLogicalName(type).orElseThrow(() -> new UndecodableMessageException(
                    UndecodableMessageException.Reason.UNKNOWN_TYPE, "logical type '" + type
                    + "' is not handled by this deployment (queue " + queueName + ")"));
            data = serializer.data(event, descriptor.type());
        } catch (UndecodableMessageException e) {
            return CompletableFuture.completedFuture(InboundOutcome.deadLetter(messageId, reasonCode(e.reason()), e.getMessage(), e));
        }
        List<HandlerInvoker> handlers = descriptor.kind() == MessageKind.COMMAND
                ? registry.commandHandler(descriptor.type()).map(List::of).orElse(List.of())
                : registry.eventHandlers(descriptor.type());
        AwsMessageContext context = new AwsMessageContext(event.id(), event.type(), Optional.ofNullable(event.subject()),
                receiveCount(message), queueName, event.time() != null ? event.time() : sentTimestamp(message));
        String id = messageId;
        return runAll(handlers, data, context).handle((ignored, failure) -> {
            if (failure == null) {
                return InboundOutcome.handled(id);
            }
            Throwable cause = unwrap(failure);
            if (cause instanceof RejectMessage rejected) {
                return InboundOutcome.deadLetter(id, "Rejected", String.valueOf(rejected.getMessage()), rejected);
            }
            return InboundOutcome.retry(id, cause);
        });
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
