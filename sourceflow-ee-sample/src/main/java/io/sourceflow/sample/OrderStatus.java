package io.sourceflow.sample;

/** Where an order is in its life: stored, then paid. */
public enum OrderStatus {
    /** {@link OrderSaga} stored the order; the payment is under way. */
    PLACED,
    /** The payment was taken. */
    PAID
}
