package io.sourceflow.idempotency.jpa;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import java.util.function.Function;

/**
 * The {@link TransactionRunner} in a Jakarta EE server for a JTA persistence unit: the container's standard
 * {@code @Transactional} interceptors begin, suspend, join and complete the transactions, so no server-specific
 * transaction-manager lookup is needed. Added as a bean by {@link JpaIdempotencyExtension} when
 * {@code sourceflow.idempotency.store=jpa}.
 */
@ApplicationScoped
public class ContainerTransactionRunner implements TransactionRunner {

    private Instance<EntityManagerFactory> emf;

    /** For the container's client proxy. */
    protected ContainerTransactionRunner() {
    }

    @Inject
    ContainerTransactionRunner(@IdempotencyPersistenceUnit Instance<EntityManagerFactory> emf) {
        this.emf = emf;
    }

    @Override
    @Transactional(TxType.REQUIRES_NEW)
    public <T> T inNewTransaction(Function<EntityManager, T> work) {
        return run(work);
    }

    @Override
    @Transactional(TxType.REQUIRED)
    public <T> T inCallerTransaction(Function<EntityManager, T> work) {
        return run(work);
    }

    private <T> T run(Function<EntityManager, T> work) {
        EntityManager em = emf.get().createEntityManager();
        try {
            em.joinTransaction();
            T result = work.apply(em);
            em.flush();
            return result;
        } finally {
            em.close(); // an application-managed EM stays bound to the transaction until it completes
        }
    }
}
