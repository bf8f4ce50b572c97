package io.sourceflow.aws;

/**
 * What became of one received message.
 *
 * @param disposition what the listener does with it
 * @param messageId the CloudEvents id when it could be read, else the SQS MessageId
 * @param reason a reason code for dead letters ({@code MalformedJson}, {@code UnknownType}, {@code Rejected}, ...)
 * @param detail a log- and attribute-safe explanation (never the payload)
 * @param failure the handler's exception, for retries
 */
record InboundOutcome(Disposition disposition, String messageId, String reason, String detail, Throwable failure) {

    enum Disposition {
        /** Handled: delete it. */
        HANDLED,
        /** Failed: leave it for a retry. */
        RETRY,
        /** Can never succeed: move it to the dead-letter queue now. */
        DEAD_LETTER
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
}
