package io.sourceflow.sample;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * An order as {@link OrderSaga} keeps it (table {@code sample_order}). Timestamps are {@link OffsetDateTime}
 * in UTC: EclipseLink 4.0 (Open Liberty) writes {@link Instant} to PostgreSQL as {@code bytea}.
 */
@Entity
@Table(name = "sample_order")
public class SampleOrder {

    @Id
    @Column(name = "id", length = 64)
    private String id;

    @Column(name = "customer", nullable = false, length = 200)
    private String customer;

    @Column(name = "total", nullable = false, precision = 12, scale = 2)
    private BigDecimal total;

    @Enumerated(EnumType.STRING)
    @Column(name = "status", nullable = false, length = 16)
    private OrderStatus status;

    @Column(name = "placed_at", nullable = false)
    private OffsetDateTime placedAt;

    @Column(name = "paid_at")
    private OffsetDateTime paidAt;

    @Column(name = "payment_id", length = 64)
    private String paymentId;

    @Version
    @Column(name = "version", nullable = false)
    private long version;

    /** For JPA. */
    protected SampleOrder() {
    }

    /** A new order, PLACED now. */
    public SampleOrder(String id, String customer, BigDecimal total, Instant placedAt) {
        this.id = id;
        this.customer = customer;
        this.total = total;
        this.status = OrderStatus.PLACED;
        this.placedAt = placedAt.atOffset(ZoneOffset.UTC);
    }

    /** Marks the order PAID by the given payment; returns false if it already was. */
    public boolean markPaid(String paymentId, Instant at) {
        if (status == OrderStatus.PAID) {
            return false;
        }
        this.status = OrderStatus.PAID;
        this.paymentId = paymentId;
        this.paidAt = at.atOffset(ZoneOffset.UTC);
        return true;
    }

    /** The order as the REST API shows it. */
    public OrderView toView() {
        return new OrderView(id, customer, total, status, placedAt.toInstant(),
                paidAt == null ? null : paidAt.toInstant(), paymentId);
    }

    /** The order id. */
    public String id() {
        return id;
    }

    /** Who ordered. */
    public String customer() {
        return customer;
    }

    /** The amount to pay. */
    public BigDecimal total() {
        return total;
    }

    /** The current status. */
    public OrderStatus status() {
        return status;
    }
}
