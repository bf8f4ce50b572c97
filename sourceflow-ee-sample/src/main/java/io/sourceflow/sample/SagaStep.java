package io.sourceflow.sample;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * One committed run of one saga step for one order (table {@code saga_step}). A handler writes its row in
 * the same transaction as its state change, so a run that rolled back leaves no row, and a step that ran
 * twice (a redelivery, or two instances handling one message) leaves two: the deployment tests count them.
 */
@Entity
@Table(name = "saga_step")
public class SagaStep {

    @Id
    @Column(name = "id", length = 64)
    private String id;

    @Column(name = "order_id", nullable = false, length = 64)
    private String orderId;

    @Column(name = "step", nullable = false, length = 64)
    private String step;

    @Column(name = "instance_name", nullable = false, length = 100)
    private String instanceName;

    @Column(name = "message_id", length = 200)
    private String messageId;

    @Column(name = "ran_at", nullable = false)
    private OffsetDateTime ranAt;

    /** For JPA. */
    protected SagaStep() {
    }

    /** A run of {@code step} for {@code orderId} by {@code instanceName}, handling message {@code messageId}. */
    public SagaStep(String id, String orderId, String step, String instanceName, String messageId, Instant ranAt) {
        this.id = id;
        this.orderId = orderId;
        this.step = step;
        this.instanceName = instanceName;
        this.messageId = messageId;
        this.ranAt = ranAt.atOffset(ZoneOffset.UTC);
    }
}
