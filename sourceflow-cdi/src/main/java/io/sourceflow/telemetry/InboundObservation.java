package io.sourceflow.telemetry;

import java.util.function.Supplier;

/**
 * One received message being processed: its CONSUMER ({@code process}) span, started when the CloudEvent
 * was read (its {@code traceparent} is the parent), and its metrics. {@link #end} exactly once.
 */
public interface InboundObservation {

    /** The type attribute of a message whose type is not on the deployment's allow-list (or could not be read). */
    String UNKNOWN_TYPE = "_unknown";

    /** What became of the message. */
    enum Result {
        /** Handled and deleted. */
        HANDLED,
        /** Failed; retried after a delay. */
        RETRY,
        /** Can never succeed; moved to the dead-letter queue. */
        DEAD_LETTER,
        /** Already handled (idempotency "done" mark found): deleted without running the handler. */
        DUPLICATE,
        /** Another instance holds its idempotency claim: neither handled nor deleted; looked at again later. */
        HELD_ELSEWHERE
    }

    /** The CloudEvent was read: starts the process span as a child of the producer's span. */
    void decoded(String logicalType, String messageId, String traceparent, String tracestate);

    /** Runs the handlers with the process span current, so that their spans and sends are its children. */
    <T> T inContext(Supplier<T> work);

    /**
     * Ends the span and records the outcome.
     *
     * @param reason the dead-letter reason code, or {@code null}
     * @param failure the failure, already masked ({@link io.sourceflow.masking.SensitiveDataMasker}); or {@code null}
     */
    void end(Result result, String reason, Throwable failure);
}
