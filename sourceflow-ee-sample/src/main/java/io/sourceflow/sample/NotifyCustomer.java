package io.sourceflow.sample;

import io.sourceflow.Command;
import io.sourceflow.EntityKey;
import io.sourceflow.SendTo;

/**
 * Tells a customer about their order. Sent by {@link OrderSaga} to the standard (non-FIFO) queue
 * {@code notifications}; handled by {@link CustomerNotifier}. On a standard queue the entity key is only
 * the CloudEvents {@code subject}: there are no message groups.
 *
 * @param orderId  the order the notification is about
 * @param customer who to notify
 * @param text     what to say
 */
@SendTo("notifications")
public record NotifyCustomer(@EntityKey String orderId, String customer, String text) implements Command {
}
