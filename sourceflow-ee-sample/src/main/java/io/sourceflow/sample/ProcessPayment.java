package io.sourceflow.sample;

import io.sourceflow.Command;
import io.sourceflow.EntityKey;
import io.sourceflow.SendTo;

import java.math.BigDecimal;

/**
 * Takes the payment for an order. Sent by {@link PaymentSaga} to the FIFO queue {@code payments.fifo}
 * and handled there too.
 *
 * @param orderId the order id
 * @param amount  the amount to take
 */
@SendTo("payments.fifo")
public record ProcessPayment(@EntityKey String orderId, BigDecimal amount) implements Command {
}
