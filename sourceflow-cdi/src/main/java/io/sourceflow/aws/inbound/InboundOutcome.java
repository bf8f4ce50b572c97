package io.sourceflow.aws.inbound;

/**
 * What became of one received message.
 *
 * @param disposition what the listener does with it
 * @param messageId the CloudEvents id when it could be read, else the SQS MessageId
 * @param reason a reason code for dead letters ({@code MalformedJson}, {@code UnknownType}, {@code Rejected}, ...)
 * @param detail a log- and attribute-safe explanation (never the payload)
 * @param failure the handler's exception, for retries
 * @param visibleAfter for {@link Disposition#HELD_ELSEWHERE}: when to look at the message again; {@code null} otherwise
 */
record InboundOutcome(Disposition disposition, String messageId, String reason, String detail, Throwable failure,
                      java.time.Duration visibleAfter) {

    InboundOutcome(Disposition disposition, String messageId, String reason, String detail, Throwable failure) {
        this(disposition, messageId, reason, detail, failure, null);
    }

    enum Disposition {
        /** Handled: delete it. */
        HANDLED,
        /** Failed: leave it for a retry. */
        RETRY,
        /** Can never succeed: move it to the dead-letter queue now. */
        DEAD_LETTER,
        /** Already handled (its idempotency "done" mark exists): delete it without running the handler. */
        DUPLICATE,
        /** Another instance holds its idempotency claim: neither handle nor delete it; look again later. */
        HELD_ELSEWHERE;

        /** Whether the message stays on the queue (a FIFO group must not move past it). */
        boolean staysOnQueue() {
            return this == RETRY || this == HELD_ELSEWHERE;
        }
    }

    static InboundOutcome handled(String messageId) {
        return new InboundOutcome(Disposition.HANDLED, messageId, null, null, null);
    }

    static InboundOutcome retry(String messageId, Throwable failure) {
        return new InboundOutcome(Disposition.RETRY, messageId, null, null, failure);
    }

    static InboundOutcome deadLetter(String messageId, String reason, String detail, Throwable failure) {
        return new InboundOutcome(Disposition.DEAD_LETTER, messageId, reason, detail, failure);
    }

    static InboundOutcome duplicate(String messageId) {
        return new InboundOutcome(Disposition.DUPLICATE, messageId, null, null, null);
    }

    static InboundOutcome heldElsewhere(String messageId, java.time.Duration visibleAfter) {
        return new InboundOutcome(Disposition.HELD_ELSEWHERE, messageId, null, null, null, visibleAfter);
    }
}
