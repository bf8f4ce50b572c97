package io.sourceflow;

/**
 * Thrown by a handler to say that a message can never succeed: it goes to the queue's dead-letter queue
 * at once, with this exception's message as the reason, instead of being retried. The message must not
 * contain {@link Sensitive} data. For an in-process message it simply reaches the caller.
 */
public class RejectMessage extends SourceFlowException {
    private static final long serialVersionUID = 1L;

    /** Rejects the message; the reason is recorded on the dead-lettered message. */
    public RejectMessage(String reason) {
        super(reason);
    }

    /** Rejects the message with an underlying cause. */
    public RejectMessage(String reason, Throwable cause) {
        super(reason, cause);
    }
}
