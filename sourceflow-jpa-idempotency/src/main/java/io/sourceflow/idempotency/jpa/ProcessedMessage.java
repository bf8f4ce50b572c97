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
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * One row of {@code sourceflow_processed_message}: the idempotency state of one message for one consumer.
 *
 * <p>The key (consumer varchar(255), message_id varchar(128)) stays within MySQL/MariaDB's 3,072-byte index limit in
 * utf8mb4. {@code expires_at} is when cleanup may delete the row: the lease expiry for a claim, processed time plus
 * TTL for a done record. Add this class to the persistence unit that the store uses (see the module README).
 *
 * <p>The instants are mapped as {@link OffsetDateTime} in UTC, a type every Jakarta Persistence 3.1 provider maps
 * to a timestamp: {@link Instant} is a basic type only from Persistence 3.2 on, and EclipseLink 4.0 (Open Liberty's
 * {@code persistence-3.1}) would serialize it into a binary value. The getters still return {@link Instant}.
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
    private OffsetDateTime leaseExpiry;

    @Column(name = "processed_at")
    private OffsetDateTime processedAt;

    @Column(name = "expires_at", nullable = false)
    private OffsetDateTime expiresAt;

    /** For JPA. */
    protected ProcessedMessage() {
    }

    ProcessedMessage(String consumer, String messageId, String owner, Instant leaseExpiry) {
        this.consumer = consumer;
        this.messageId = messageId;
        this.status = Status.CLAIMED;
        this.owner = owner;
        this.leaseExpiry = utc(leaseExpiry);
        this.expiresAt = utc(leaseExpiry);
    }

    /** {@code instant} as the mapped type (UTC), e.g. for JPQL parameters compared with the time columns. */
    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
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
        return instant(leaseExpiry);
    }

    /** When the message was marked done; {@code null} while claimed. */
    public Instant getProcessedAt() {
        return instant(processedAt);
    }

    /** When cleanup may delete this row. */
    public Instant getExpiresAt() {
        return instant(expiresAt);
    }
}
