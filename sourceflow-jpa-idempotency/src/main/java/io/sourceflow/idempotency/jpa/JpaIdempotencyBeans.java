package io.sourceflow.idempotency.jpa;

import io.sourceflow.spi.IdempotencyStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import java.time.Clock;

/**
 * Produces the {@link IdempotencyStore} bean (and the {@link TransactionRunner} it uses) from the application's
 * {@link IdempotencyPersistenceUnit} factory: through {@link ContainerTransactionRunner} for a JTA unit, through
 * {@link ResourceLocalTransactionRunner} for a resource-local one. Added by {@link JpaIdempotencyExtension} only when
 * {@code sourceflow.idempotency.store=jpa}.
 */
@ApplicationScoped
public class JpaIdempotencyBeans {

    private Instance<EntityManagerFactory> emf;
    private ContainerTransactionRunner containerRunner;

    /** For the container's client proxy. */
    protected JpaIdempotencyBeans() {
    }

    @Inject
    JpaIdempotencyBeans(@IdempotencyPersistenceUnit Instance<EntityManagerFactory> emf,
                        ContainerTransactionRunner containerRunner) {
        this.emf = emf;
        this.containerRunner = containerRunner;
    }

    @Produces
    @ApplicationScoped
    @IdempotencyPersistenceUnit
    TransactionRunner transactionRunner() {
        if (emf.isUnsatisfied()) {
            throw new IllegalStateException(JpaIdempotencyExtension.MISSING_EMF);
        }
        return isJta(emf.get()) ? containerRunner : new ResourceLocalTransactionRunner(emf.get());
    }

    @Produces
    @ApplicationScoped
    IdempotencyStore idempotencyStore(@IdempotencyPersistenceUnit TransactionRunner runner) {
        return new JpaIdempotencyStore(runner, Clock.systemUTC());
    }

    /** A JTA entity manager has no {@code EntityTransaction}: the portable way to tell the unit's transaction type. */
    static boolean isJta(EntityManagerFactory factory) {
        EntityManager em = factory.createEntityManager();
        try {
            em.getTransaction();
            return false;
        } catch (IllegalStateException e) {
            return true;
        } finally {
            em.close();
        }
    }
}
