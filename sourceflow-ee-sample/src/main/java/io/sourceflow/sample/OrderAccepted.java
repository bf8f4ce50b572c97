package io.sourceflow.sample;

/**
 * The answer to {@code POST /api/orders} (202 Accepted): the order id and where to watch the order.
 *
 * @param orderId  the new order's id
 * @param location the path of {@code GET /api/orders/{id}}
 */
public record OrderAccepted(String orderId, String location) {
}
