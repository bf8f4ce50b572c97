package io.sourceflow.aws;

/**
 * The SQS and SNS limits SourceFlow works within, written once: entries per batch request and per receive, bytes per
 * message and per batch, message attributes per message, the longest visibility timeout. Internal to SourceFlow.
 */
public final class ServiceLimits {

    /** Entries in one SendMessageBatch, PublishBatch, DeleteMessageBatch or ChangeMessageVisibilityBatch, and messages in one receive. */
    public static final int MAX_BATCH_ENTRIES = 10;
    /** SQS accepts 1 MiB per message and per batch. */
    public static final int SQS_MAX_BYTES = 1_048_576;
    /** SNS accepts 256 KiB per message and per batch. */
    public static final int SNS_MAX_BYTES = 262_144;
    /** Message attributes per message (raw SNS delivery drops a message with more). */
    public static final int MAX_ATTRIBUTES = 10;
    /** The longest visibility timeout SQS accepts (12 hours), in seconds. */
    public static final int MAX_VISIBILITY_SECONDS = 43_200;

    private ServiceLimits() {
    }
}
