package io.sourceflow.idempotency.jpa;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;


/**
 * Produces the {@link TransactionRunner} of the application's {@link IdempotencyPersistenceUnit} factory, which the
 * idempotency store and the outbox use: {@link ContainerTransactionRunner} for a JTA unit,
 * {@link ResourceLocalTransactionRunner} for a resource-local one. Added by {@link JpaIdempotencyExtension} when
 * {@code sourceflow.idempotency.store=jpa} or {@code sourceflow.outbox.enabled=true}.
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
        // made on first use, maybe inside the caller's transaction: the probe runs with it suspended (see isJta)
        return containerRunner.isJta(emf.get()) ? containerRunner : new ResourceLocalTransactionRunner(emf.get());
    }

    /**
     * Whether the unit is JTA, portably: a JTA entity manager refuses {@code getTransaction()} (EclipseLink, or
     * Hibernate with JPA transaction compliance); Hibernate by default allows it, but then refuses
     * {@code joinTransaction()} without an active JTA transaction, or joins the active one, while a resource-local
     * entity manager does neither. Not inside a JTA transaction: EclipseLink marks the active one rollback-only when it
     * refuses {@code getTransaction()}, and Hibernate's {@code joinTransaction()} joins it; call it through
     * {@link ContainerTransactionRunner#isJta}, which suspends the caller's.
     */
    static boolean isJta(EntityManagerFactory factory) {
        EntityManager em = factory.createEntityManager();
        try {
            try {
                em.getTransaction();
            } catch (IllegalStateException e) {
                return true;
            }
            try {
                em.joinTransaction();
            } catch (jakarta.persistence.TransactionRequiredException e) {
                return true;
            }
            return em.isJoinedToTransaction();
        } finally {
            em.close();
        }
    }
}
