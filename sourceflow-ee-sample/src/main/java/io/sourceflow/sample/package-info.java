/**
 * The orders-and-payments sample application.
 *
 * <p>{@code POST /api/orders} sends {@link io.sourceflow.sample.PlaceOrder} to the FIFO queue
 * {@code orders.fifo}. {@link io.sourceflow.sample.OrderSaga} stores the order (PLACED) and raises
 * {@link io.sourceflow.sample.OrderPlaced} to the SNS topic {@code order-events}.
 * {@link io.sourceflow.sample.PaymentSaga} reacts by sending {@link io.sourceflow.sample.ProcessPayment}
 * to {@code payments.fifo}; its handler raises {@link io.sourceflow.sample.PaymentProcessed} to
 * {@code payment-events}; {@link io.sourceflow.sample.OrderSaga} marks the order PAID and sends
 * {@link io.sourceflow.sample.NotifyCustomer} to the standard queue {@code notifications}.
 * {@code GET /api/orders/{id}} returns the {@link io.sourceflow.sample.OrderView}.
 *
 * <p>Every handler run that commits writes one {@link io.sourceflow.sample.SagaStep} row, so the
 * deployment tests can check that each step ran exactly once.
 */
package io.sourceflow.sample;
