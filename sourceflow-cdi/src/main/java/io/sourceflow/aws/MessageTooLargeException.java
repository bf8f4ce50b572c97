package io.sourceflow.aws;

import io.sourceflow.SourceFlowException;

/**
 * An encoded message exceeds its destination's size limit (SQS 1 MiB, SNS 256 KiB). Nothing was sent.
 * Make the message smaller, or store the payload elsewhere (S3) and send a reference.
 */
public final class MessageTooLargeException extends SourceFlowException {
    private static final long serialVersionUID = 1L;

    private final int size;
    private final int limit;

    public MessageTooLargeException(String logicalType, String destination, int size, int limit) {
        super("Message " + logicalType + " is " + size + " bytes encoded; " + destination + " accepts at most " + limit
                + " bytes. Nothing was sent: make the message smaller or send a reference to the payload instead");
        this.size = size;
        this.limit = limit;
    }

    /** The encoded size in bytes (body plus message attributes). */
    public int size() {
        return size;
    }

    /** The destination's limit in bytes. */
    public int limit() {
        return limit;
    }
}
