package io.sourceflow.idempotency.jpa;

import java.io.Serializable;
import java.util.Objects;

/** Primary key of {@link ProcessedMessage}: (consumer, message id). */
public final class ProcessedMessageId implements Serializable {

    private static final long serialVersionUID = 1L;

    private String consumer;
    private String messageId;

    /** For JPA. */
    public ProcessedMessageId() {
    }

    /** The key of one message for one consumer. */
    public ProcessedMessageId(String consumer, String messageId) {
        this.consumer = consumer;
        this.messageId = messageId;
    }

    /** The consuming queue. */
    public String getConsumer() {
        return consumer;
    }

    /** The CloudEvents id. */
    public String getMessageId() {
        return messageId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProcessedMessageId other
                && Objects.equals(consumer, other.consumer) && Objects.equals(messageId, other.messageId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(consumer, messageId);
    }

    @Override
    public String toString() {
        return consumer + "/" + messageId;
    }
}
