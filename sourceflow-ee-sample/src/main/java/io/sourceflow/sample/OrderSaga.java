package io.sourceflow.sample;

import io.sourceflow.CommandBus;
import io.sourceflow.EventPublisher;
import io.sourceflow.Handles;
import io.sourceflow.MessageContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.logging.Logger;

/**
 * The order's side of the saga: stores the order when {@link PlaceOrder} arrives and raises
 * {@link OrderPlaced}; marks it PAID when {@link PaymentProcessed} arrives and notifies the customer.
 * Each handler runs in one JTA transaction: its database work and its {@link SagaStep} row commit together.
 */
@ApplicationScoped
public class OrderSaga {

    private static final Logger LOG = Logger.getLogger(OrderSaga.class.getName());

    private EntityManager entityManager;
    private EventPublisher events;
    private CommandBus commands;
    private SagaSteps steps;

    /** For the container's client proxy. */
    protected OrderSaga() {
    }

    @Inject
    OrderSaga(EntityManager entityManager, EventPublisher events, CommandBus commands, SagaSteps steps) {
        this.entityManager = entityManager;
        this.events = events;
        this.commands = commands;
        this.steps = steps;
    }

    /** Stores the order as PLACED and raises {@link OrderPlaced} (published once this handler succeeded). */
    @Transactional
    public void on(@Handles PlaceOrder command, MessageContext context) {
        SampleOrder order = entityManager.find(SampleOrder.class, command.orderId());
        if (order == null) {
            order = new SampleOrder(command.orderId(), command.customer(), command.total(), Instant.now());
            entityManager.persist(order);
        }
        steps.record(command.orderId(), "OrderSaga.PlaceOrder", context);
        LOG.fine(() -> "order " + command.orderId() + " placed (message " + context.messageId() + ")");
        events.raise(new OrderPlaced(order.id(), order.customer(), order.total()));
    }

    /**
     * Marks the order PAID and sends {@link NotifyCustomer} to the standard queue. Synchronous, like every handler of
     * the sample: the status, the step, the idempotency mark and the notification (in the transactional outbox)
     * commit together, so a crash anywhere neither loses the notification nor runs the step twice.
     */
    @Transactional
    public void on(@Handles PaymentProcessed event, MessageContext context) {
        SampleOrder order = entityManager.find(SampleOrder.class, event.orderId());
        if (order == null) {
            // PlaceOrder committed before OrderPlaced was raised, so this cannot happen unless rows were deleted
            LOG.warning(() -> "payment " + event.paymentId() + " for unknown order " + event.orderId() + " ignored");
            return;
        }
        boolean changed = order.markPaid(event.paymentId(), Instant.now());
        steps.record(event.orderId(), "OrderSaga.PaymentProcessed", context);
        if (changed) {
            commands.send(new NotifyCustomer(order.id(), order.customer(),
                    "Your order " + order.id() + " of " + order.total() + " is paid."));
        }
    }
}
