package io.sourceflow.sample;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An order as {@code GET /api/orders/{id}} shows it.
 *
 * @param orderId   the order id
 * @param customer  who ordered
 * @param total     the amount
 * @param status    PLACED, then PAID
 * @param placedAt  when {@link OrderSaga} stored it
 * @param paidAt    when it was paid, or null
 * @param paymentId the payment, or null
 */
public record OrderView(String orderId, String customer, BigDecimal total, OrderStatus status, Instant placedAt,
                        Instant paidAt, String paymentId) {
}
