package io.sourceflow.idempotency.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * One row of {@code sourceflow_outbox}: a message stored by its sender's transaction, waiting to be relayed to SQS or
 * SNS (see {@link JpaOutboxStore}) by the application that stored it ({@code service}). The body is the final wire message, encrypted when encryption is on. Add this class
 * to the persistence unit next to {@link ProcessedMessage}. Instants are mapped as UTC {@link OffsetDateTime}, as in
 * {@link ProcessedMessage}.
 */
@Entity
@Table(name = "sourceflow_outbox", indexes = @Index(name = "sourceflow_outbox_lease", columnList = "service, parked, lease_until"))
public class OutboxRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    @Column(name = "id")
    private Long id;

    @Column(name = "service", length = 128, nullable = false)
    private String service;

    @Column(name = "destination_kind", length = 8, nullable = false)
    private String destinationKind;

    @Column(name = "destination", length = 1024, nullable = false)
    private String destination;

    @Column(name = "group_id", length = 128)
    private String groupId;

    @Column(name = "message_id", length = 128, nullable = false)
    private String messageId;

    @Column(name = "logical_type", length = 256, nullable = false)
    private String logicalType;

    @Column(name = "body", nullable = false, length = 1_048_576)
    private String body;

    @Column(name = "attributes", nullable = false, length = 65_536)
    private String attributes;

    @Column(name = "created_at", nullable = false)
    private OffsetDateTime createdAt;

    @Column(name = "lease_until", nullable = false)
    private OffsetDateTime leaseUntil;

    @Column(name = "lease_token", length = 64)
    private String leaseToken;

    @Column(name = "attempts", nullable = false)
    private int attempts;

    @Column(name = "last_error", length = 2000)
    private String lastError;

    @Column(name = "parked", nullable = false)
    private boolean parked;

    /** For the persistence provider. */
    protected OutboxRecord() {
    }

    OutboxRecord(String service, String destinationKind, String destination, String groupId, String messageId, String logicalType,
                 String body, String attributes, Instant createdAt, Instant leaseUntil) {
        this.service = service;
        this.destinationKind = destinationKind;
        this.destination = destination;
        this.groupId = groupId;
        this.messageId = messageId;
        this.logicalType = logicalType;
        this.body = body;
        this.attributes = attributes;
        this.createdAt = utc(createdAt);
        this.leaseUntil = utc(leaseUntil);
    }

    static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    public Long getId() {
        return id;
    }

    public String getDestinationKind() {
        return destinationKind;
    }

    public String getDestination() {
        return destination;
    }

    public String getGroupId() {
        return groupId;
    }

    public String getMessageId() {
        return messageId;
    }

    public String getLogicalType() {
        return logicalType;
    }

    public String getBody() {
        return body;
    }

    public String getAttributes() {
        return attributes;
    }

    public Instant getCreatedAt() {
        return createdAt.toInstant();
    }

    public Instant getLeaseUntil() {
        return leaseUntil.toInstant();
    }

    public int getAttempts() {
        return attempts;
    }

    public String getLastError() {
        return lastError;
    }

    public boolean isParked() {
        return parked;
    }
}
