package io.sourceflow.sample;

import io.sourceflow.Command;
import io.sourceflow.EntityKey;
import io.sourceflow.SendTo;

import java.math.BigDecimal;

/**
 * Places an order. Sent by {@code POST /api/orders} to the FIFO queue {@code orders.fifo}, grouped by
 * order id; handled by {@link OrderSaga}.
 *
 * @param orderId  the order id, chosen by the REST resource
 * @param customer who ordered
 * @param total    the amount to pay
 */
@SendTo("orders.fifo")
public record PlaceOrder(@EntityKey String orderId, String customer, BigDecimal total) implements Command {
}
