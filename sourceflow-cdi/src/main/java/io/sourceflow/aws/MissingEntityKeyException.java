package io.sourceflow.aws;

import io.sourceflow.SourceFlowException;

/**
 * A message for a FIFO queue or topic has a null {@link io.sourceflow.EntityKey}: FIFO message groups are
 * keyed by entity, and a random group would break ordering. Nothing was sent.
 */
public final class MissingEntityKeyException extends SourceFlowException {
    private static final long serialVersionUID = 1L;

    public MissingEntityKeyException(String logicalType, String member, String destination) {
        super("Message " + logicalType + " for FIFO destination " + destination + " has a null entity key (" + member
                + "); set it: it becomes the MessageGroupId. Nothing was sent");
    }
}
