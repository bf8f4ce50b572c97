package io.sourceflow.idempotency.jpa;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;

import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link TransactionRunner} for a {@code RESOURCE_LOCAL} persistence unit: every call runs in its own
 * {@link EntityTransaction}. There is no caller transaction to join, so {@link #inCallerTransaction} also commits on
 * its own: the "done" mark is then not atomic with the handler's database work (see the README).
 */
public final class ResourceLocalTransactionRunner implements TransactionRunner {

    private final EntityManagerFactory emf;

    /** @param emf a resource-local persistence unit that includes {@link ProcessedMessage} */
    public ResourceLocalTransactionRunner(EntityManagerFactory emf) {
        this.emf = Objects.requireNonNull(emf, "emf");
    }

    @Override
    public <T> T inNewTransaction(Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
        EntityTransaction tx = em.getTransaction();
        try {
            tx.begin();
            T result = work.apply(em);
            em.flush();
            tx.commit();
            return result;
        } catch (RuntimeException e) {
            if (tx.isActive()) {
                try {
                    tx.rollback();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        } finally {
            em.close();
        }
    }

    @Override
    public <T> T inCallerTransaction(Function<EntityManager, T> work) {
        return inNewTransaction(work);
    }
}
