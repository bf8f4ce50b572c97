package io.sourceflow.sample;

import io.sourceflow.EntityKey;
import io.sourceflow.Event;
import io.sourceflow.RaiseTo;

import java.math.BigDecimal;

/**
 * A payment was taken. Raised by {@link PaymentSaga} to the SNS topic {@code payment-events}; handled by
 * {@link OrderSaga}, which marks the order PAID.
 *
 * @param orderId   the order id
 * @param paymentId the payment's id
 * @param amount    the amount taken
 */
@RaiseTo("payment-events")
public record PaymentProcessed(@EntityKey String orderId, String paymentId, BigDecimal amount) implements Event {
}
