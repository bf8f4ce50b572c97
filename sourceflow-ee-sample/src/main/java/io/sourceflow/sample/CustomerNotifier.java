package io.sourceflow.sample;

import io.sourceflow.Handles;
import io.sourceflow.MessageContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.util.logging.Logger;

/** Handles {@link NotifyCustomer} from the standard queue {@code notifications}: here it only logs. */
@ApplicationScoped
public class CustomerNotifier {

    private static final Logger LOG = Logger.getLogger(CustomerNotifier.class.getName());

    private SagaSteps steps;

    /** For the container's client proxy. */
    protected CustomerNotifier() {
    }

    @Inject
    CustomerNotifier(SagaSteps steps) {
        this.steps = steps;
    }

    /** "Sends" the notification. */
    @Transactional
    public void on(@Handles NotifyCustomer command, MessageContext context) {
        steps.record(command.orderId(), "CustomerNotifier.NotifyCustomer", context);
        LOG.info(() -> "notify " + command.customer() + ": " + command.text());
    }
}
