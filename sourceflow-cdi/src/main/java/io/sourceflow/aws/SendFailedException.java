package io.sourceflow.aws;

import io.sourceflow.SourceFlowException;

/**
 * SQS or SNS did not accept a message (the request failed, or the batch entry was rejected). The message
 * names the destination, the message id and the error code AWS gave; the message was not sent.
 */
public final class SendFailedException extends SourceFlowException {
    private static final long serialVersionUID = 1L;

    public SendFailedException(String message) {
        super(message);
    }

    public SendFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
