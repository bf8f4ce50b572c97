package io.sourceflow.sample;

import io.sourceflow.EntityKey;
import io.sourceflow.Event;
import io.sourceflow.RaiseTo;

import java.math.BigDecimal;

/**
 * An order was stored. Raised by {@link OrderSaga} to the SNS topic {@code order-events}; handled by
 * {@link PaymentSaga}.
 *
 * @param orderId  the order id
 * @param customer who ordered
 * @param total    the amount to pay
 */
@RaiseTo("order-events")
public record OrderPlaced(@EntityKey String orderId, String customer, BigDecimal total) implements Event {
}
