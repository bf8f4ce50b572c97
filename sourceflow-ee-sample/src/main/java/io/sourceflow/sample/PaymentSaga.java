package io.sourceflow.sample;

import io.sourceflow.CommandBus;
import io.sourceflow.EventPublisher;
import io.sourceflow.Handles;
import io.sourceflow.MessageContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.util.UUID;

/**
 * The payment's side of the saga: when an order is placed it sends {@link ProcessPayment} to its own FIFO
 * queue; handling that command "takes" the payment and raises {@link PaymentProcessed}.
 */
@ApplicationScoped
public class PaymentSaga {

    private CommandBus commands;
    private EventPublisher events;
    private SagaSteps steps;

    /** For the container's client proxy. */
    protected PaymentSaga() {
    }

    @Inject
    PaymentSaga(CommandBus commands, EventPublisher events, SagaSteps steps) {
        this.commands = commands;
        this.events = events;
        this.steps = steps;
    }

    /**
     * Starts the payment of a placed order. Synchronous on purpose: SourceFlow runs it in its transaction, so the
     * step, the idempotency mark and {@link ProcessPayment} (in the transactional outbox) commit together; an
     * asynchronous handler's work and sends are outside that transaction (README, "Idempotency").
     */
    @Transactional
    public void on(@Handles OrderPlaced event, MessageContext context) {
        steps.record(event.orderId(), "PaymentSaga.OrderPlaced", context);
        commands.send(new ProcessPayment(event.orderId(), event.total()));
    }

    /**
     * Takes the payment (here: invents a payment id derived from the message id, so a redelivery produces the
     * same one) and raises {@link PaymentProcessed}.
     */
    @Transactional
    public void on(@Handles ProcessPayment command, MessageContext context) {
        steps.record(command.orderId(), "PaymentSaga.ProcessPayment", context);
        String paymentId = "pay-" + UUID.nameUUIDFromBytes(context.messageId().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        events.raise(new PaymentProcessed(command.orderId(), paymentId, command.amount()));
    }
}
