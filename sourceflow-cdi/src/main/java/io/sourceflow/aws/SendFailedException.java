package io.sourceflow.aws;

import io.sourceflow.SourceFlowException;

/**
 * SQS or SNS did not accept a message (the request failed, or the batch entry was rejected). The message
 * names the destination, the message id and the error code AWS gave; the message was not sent.
 */
public final class SendFailedException extends SourceFlowException {
    private static final long serialVersionUID = 1L;

    private final boolean permanent;

    public SendFailedException(String message) {
        this(message, null, false);
    }

    public SendFailedException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * @param permanent whether sending this message again as it is would fail again (see {@link #isPermanent()})
     */
    public SendFailedException(String message, Throwable cause, boolean permanent) {
        super(message, cause);
        this.permanent = permanent;
    }

    /**
     * Whether sending this message again as it is would fail again: the destination rejected the message itself
     * (a sender fault of its batch entry), or does not exist. A failure that time or an operator can fix (throttling,
     * an outage, access denied) is not permanent.
     */
    public boolean isPermanent() {
        return permanent;
    }
}
