package io.sourceflow.aws;

/**
 * The SQS/SNS message attribute names of wire format 1 (see docs/wire-format.md) and of dead-lettered
 * messages. Raw SNS delivery drops a message with more than 10 attributes, so we send three. Internal to
 * SourceFlow; the names are documented in docs/wire-format.md.
 */
public final class WireAttributes {

    /** Logical type; SNS filter policies match on it. */
    public static final String TYPE = "sourceflow.type";
    /** What every SourceFlow attribute's name starts with (attributes of other producers do not). */
    public static final String PREFIX = "sourceflow.";
    /** Wire format version, "1". */
    public static final String WIRE_VERSION = "sourceflow.wire-version";
    /** The CloudEvents datacontenttype. */
    public static final String CONTENT_TYPE = "sourceflow.content-type";

    /** Why a message was dead-lettered: a reason code such as {@code MalformedJson}. */
    public static final String DLQ_REASON = "sourceflow.dlq.reason";
    /** The exception class (or reason detail) of a dead-lettered message. */
    public static final String DLQ_ERROR = "sourceflow.dlq.error";
    /** The message id (CloudEvents id when it could be read, else the SQS MessageId). */
    public static final String DLQ_MESSAGE_ID = "sourceflow.dlq.message-id";
    /** The queue the message was dead-lettered from. */
    public static final String DLQ_SOURCE_QUEUE = "sourceflow.dlq.source-queue";

    private WireAttributes() {
    }
}
