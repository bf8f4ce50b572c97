package io.sourceflow.telemetry;

/**
 * One message being sent or published: its PRODUCER span (from the send until the destination accepted
 * the message) and its metrics. {@link #end} exactly once.
 */
public interface OutboundObservation {

    /** The W3C {@code traceparent} of the producer span, for the CloudEvent; {@code null} when not tracing. */
    String traceparent();

    /** The W3C {@code tracestate}, or {@code null}. */
    String tracestate();

    /** The message id and encoded size, once the message is encoded. */
    void messageId(String messageId, int size);

    /** The destination accepted the message ({@code failure == null}) or it was not sent. */
    void end(Throwable failure);

    /** The message will never be sent (its transaction rolled back): ends the span, records no metric. */
    void discard();
}
