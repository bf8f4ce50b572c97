package io.sourceflow.sample;

import io.sourceflow.MessageContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Instant;
import java.util.UUID;

/** Writes a {@link SagaStep} row for each committed handler run, in the handler's transaction. */
@ApplicationScoped
public class SagaSteps {

    private EntityManager entityManager;
    private String instanceName;

    /** For the container's client proxy. */
    protected SagaSteps() {
    }

    @Inject
    SagaSteps(EntityManager entityManager,
              @ConfigProperty(name = "sample.instance-name", defaultValue = "sample") String instanceName) {
        this.entityManager = entityManager;
        this.instanceName = instanceName;
    }

    /** Records that {@code step} ran for {@code orderId}; joins the caller's transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String orderId, String step, MessageContext context) {
        entityManager.persist(new SagaStep(UUID.randomUUID().toString(), orderId, step, instanceName,
                context.messageId(), Instant.now()));
    }

    /** The name this instance writes into its rows ({@code sample.instance-name}). */
    public String instanceName() {
        return instanceName;
    }
}
