package io.sourceflow.idempotency.jpa;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional.TxType;
import jakarta.transaction.Transactional;

import java.util.Optional;
import java.util.function.Function;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The {@link TransactionRunner} in a Jakarta EE server for a JTA persistence unit: the container's standard
 * {@code @Transactional} interceptors begin, suspend, join and complete the transactions, so no server-specific
 * transaction-manager lookup is needed. Added as a bean by {@link JpaIdempotencyExtension} when
 * {@code sourceflow.idempotency.store=jpa}.
 */
@ApplicationScoped
public class ContainerTransactionRunner implements TransactionRunner {

    private static final String REGISTRY_JNDI = "java:comp/TransactionSynchronizationRegistry";

    private Instance<EntityManagerFactory> emf;
    private Instance<TransactionSynchronizationRegistry> registries;
    private volatile TransactionSynchronizationRegistry registry;

    /** For the container's client proxy. */
    protected ContainerTransactionRunner() {
    }

    @Inject
    ContainerTransactionRunner(@IdempotencyPersistenceUnit Instance<EntityManagerFactory> emf,
                               Instance<TransactionSynchronizationRegistry> registries) {
        this.emf = emf;
        this.registries = registries;
    }

    @Override
    @Transactional(TxType.REQUIRES_NEW)
    public <T> T inNewTransaction(Function<EntityManager, T> work) {
        T result = run(work);
        // the work returned normally, but something in it (a caught failure of a nested @Transactional call, say)
        // marked the transaction rollback-only: the interceptor would roll it back and return normally, and the caller
        // would take the work as done. Throwing makes the rollback the caller's failure.
        if (registry().map(TransactionSynchronizationRegistry::getRollbackOnly).orElse(false)) {
            throw new IllegalStateException("The transaction was marked rollback-only by the work inside it and is rolled "
                    + "back: nothing of it was committed");
        }
        return result;
    }

    /** The server's registry: a CDI bean if there is one, else the standard JNDI name. */
    private Optional<TransactionSynchronizationRegistry> registry() {
        TransactionSynchronizationRegistry found = registry;
        if (found == null) {
            if (registries.isResolvable()) {
                found = registries.get();
            } else {
                try {
                    found = (TransactionSynchronizationRegistry) new InitialContext().lookup(REGISTRY_JNDI);
                } catch (NamingException | RuntimeException e) {
                    return Optional.empty(); // not cached: a container thread finds it later
                }
            }
            registry = found;
        }
        return Optional.ofNullable(found);
    }

    @Override
    @Transactional(TxType.REQUIRED)
    public <T> T inCallerTransaction(Function<EntityManager, T> work) {
        return run(work);
    }

    /**
     * Whether {@code factory}'s unit is JTA ({@link JpaIdempotencyBeans#isJta}), found out with the caller's
     * transaction, if any, suspended: the probe's refused {@code getTransaction()} marks the active JTA transaction
     * rollback-only on EclipseLink (Open Liberty's provider), without an exception reaching the caller. For
     * {@link JpaIdempotencyBeans}, which makes the runner on its first use, in whatever transaction that is.
     */
    @Transactional(TxType.NOT_SUPPORTED)
    public boolean isJta(EntityManagerFactory factory) {
        return JpaIdempotencyBeans.isJta(factory);
    }

    /** {@code true}: {@link #inCallerTransaction} joins the caller's JTA transaction. */
    @Override
    public boolean joinsCallerTransactions() {
        return true;
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
