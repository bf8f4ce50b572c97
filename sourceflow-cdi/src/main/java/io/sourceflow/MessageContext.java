package io.sourceflow;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What a handler may know about the delivery of the message it handles. Declare it as the second
 * parameter of a {@link Handles} method.
 */
public interface MessageContext {

    /** The message id: the same across producer retries and redeliveries (the CloudEvents {@code id}). */
    String messageId();

    /** The logical type name of the message (see {@link MessageType}). */
    String messageType();

    /** The entity key ({@link EntityKey}) as a string, if the type has one. */
    Optional<String> entityKey();

    /** How many times this message has been received, 1 on the first delivery. */
    int receiveCount();

    /**
     * Where the message came from: the queue it was received from, or {@code "in-process"} for a
     * message delivered inside this deployment.
     */
    String destination();

    /** When the sender sent the message. */
    Instant sentAt();

    /**
     * The CloudEvent's extension attributes that are neither CloudEvents' own nor SourceFlow's, as a producer in
     * another system may set them (a tenant id, a correlation id), each as its JSON text ({@code "acme"} becomes
     * {@code acme}, {@code 5} stays {@code 5}); members that are objects, arrays or null are not extension attributes
     * and are left out. Untrusted input, like the message itself. Empty for a message delivered in-process, and by
     * this default (for implementations outside SourceFlow).
     */
    default Map<String, String> extensions() {
        return Map.of();
    }

    /**
     * The SQS message attributes the producer set, other than SourceFlow's own ({@code sourceflow.*}): String and
     * Number attributes as text; binary ones are left out. For an event delivered through SNS (raw delivery), the
     * attributes it was published with. Untrusted input. Empty for a message delivered in-process, and by this
     * default.
     */
    default Map<String, String> messageAttributes() {
        return Map.of();
    }

    /**
     * Runs {@code work} on the calling thread as part of this handler. The events it raises and the commands it sends
     * are held back with those the handler raised on its own thread: they leave only if the handler completes normally
     * (and are discarded if it fails), with ids derived from this message's id, so a retry sends the same ids.
     * <p>
     * An asynchronous handler needs this for what it raises or sends on another thread, inside the
     * {@code CompletionStage} it returns: {@code return repository.saveAsync(order).thenRun(() ->
     * context.runInHandler(() -> events.raise(new OrderSaved(order.id()))));}. Raised there without it, a message
     * leaves at once, whatever the handler's outcome, with a random id. On the handler's own thread it changes nothing.
     * The {@code MessageContext} SourceFlow passes to a handler implements it; this default (for other
     * implementations, such as test doubles) just runs the work.
     *
     * @throws IllegalStateException if the handler has already completed: what it sends must be sent before its stage
     *                               completes
     */
    default void runInHandler(Runnable work) {
        work.run();
    }
}
