package io.sourceflow.idempotency.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * One row of {@code sourceflow_processed_message}: the idempotency state of one message for one consumer.
 *
 * <p>The key (consumer varchar(255), message_id varchar(128)) stays within MySQL/MariaDB's 3,072-byte index limit in
 * utf8mb4. {@code expires_at} is when cleanup may delete the row: the lease expiry for a claim, processed time plus
 * TTL for a done record. Add this class to the persistence unit that the store uses (see the module README).
 */
@Entity
@IdClass(ProcessedMessageId.class)
@Table(name = "sourceflow_processed_message",
        indexes = @Index(name = "sourceflow_processed_message_expires", columnList = "expires_at"))
public class ProcessedMessage {

    /** The state of a row. */
    public enum Status {
        /** Claimed by {@link ProcessedMessage#getOwner()} until the lease expiry. */
        CLAIMED,
        /** Handled; kept until {@code expires_at} to catch duplicates. */
        DONE
    }

    @Id
    @Column(name = "consumer", length = 255, nullable = false)
    private String consumer;

    @Id
    @Column(name = "message_id", length = 128, nullable = false)
    private String messageId;

    @Enumerated(EnumType.STRING)
    @Column(name = "status", length = 16, nullable = false)
    private Status status;

    @Column(name = "owner", length = 64)
    private String owner;

    @Column(name = "lease_expiry")
    private Instant leaseExpiry;

    @Column(name = "processed_at")
    private Instant processedAt;

    @Column(name = "expires_at", nullable = false)
    private Instant expiresAt;

    /** For JPA. */
    protected ProcessedMessage() {
    }

    ProcessedMessage(String consumer, String messageId, String owner, Instant leaseExpiry) {
        this.consumer = consumer;
        this.messageId = messageId;
        this.status = Status.CLAIMED;
        this.owner = owner;
        this.leaseExpiry = leaseExpiry;
        this.expiresAt = leaseExpiry;
    }

    /** The consuming queue. */
    public String getConsumer() {
        return consumer;
    }

    /** The CloudEvents id of the message. */
    public String getMessageId() {
        return messageId;
    }

    /** Claimed or done. */
    public Status getStatus() {
        return status;
    }

    /** The owner token of the current or last claim. */
    public String getOwner() {
        return owner;
    }

    /** End of the claim's lease; {@code null} once done. */
    public Instant getLeaseExpiry() {
        return leaseExpiry;
    }

    /** When the message was marked done; {@code null} while claimed. */
    public Instant getProcessedAt() {
        return processedAt;
    }

    /** When cleanup may delete this row. */
    public Instant getExpiresAt() {
        return expiresAt;
    }
}
