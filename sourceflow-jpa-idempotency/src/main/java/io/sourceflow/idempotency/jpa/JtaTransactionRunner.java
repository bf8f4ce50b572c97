package io.sourceflow.idempotency.jpa;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.InvalidTransactionException;

import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link TransactionRunner} for a JTA persistence unit, driven by a {@link TransactionManager}: own transactions
 * suspend the caller's and resume it afterwards; {@link #inCallerTransaction} joins an active one. Use it in Java SE
 * (e.g. with Narayana) or in a server whose transaction manager is reachable (WildFly:
 * {@code java:jboss/TransactionManager}); elsewhere in a server the CDI bean {@link ContainerTransactionRunner} does
 * the same through {@code @Transactional}.
 */
public final class JtaTransactionRunner implements TransactionRunner {

    private final EntityManagerFactory emf;
    private final TransactionManager tm;

    /**
     * @param emf a JTA persistence unit that includes {@link ProcessedMessage}
     * @param tm  the transaction manager its data source is enlisted with
     */
    public JtaTransactionRunner(EntityManagerFactory emf, TransactionManager tm) {
        this.emf = Objects.requireNonNull(emf, "emf");
        this.tm = Objects.requireNonNull(tm, "tm");
    }

    @Override
    public <T> T inNewTransaction(Function<EntityManager, T> work) {
        Transaction suspended = null;
        try {
            if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                suspended = tm.suspend();
            }
            try {
                return runOwn(work);
            } finally {
                if (suspended != null) {
                    tm.resume(suspended);
                }
            }
        } catch (SystemException | InvalidTransactionException e) {
            throw new IllegalStateException("JTA transaction manager failed: " + e, e);
        }
    }

    @Override
    public <T> T inCallerTransaction(Function<EntityManager, T> work) {
        try {
            int status = tm.getStatus();
            if (status == Status.STATUS_NO_TRANSACTION) {
                return runOwn(work);
            }
            EntityManager em = emf.createEntityManager();
            try {
                em.joinTransaction();
                T result = work.apply(em);
                em.flush();
                return result;
            } catch (RuntimeException e) {
                tm.setRollbackOnly();
                throw e;
            } finally {
                em.close(); // an application-managed EM stays bound to the transaction until it completes
            }
        } catch (SystemException e) {
            throw new IllegalStateException("JTA transaction manager failed: " + e, e);
        }
    }

    private <T> T runOwn(Function<EntityManager, T> work) throws SystemException {
        try {
            tm.begin();
        } catch (NotSupportedException e) {
            throw new IllegalStateException("cannot begin a JTA transaction: " + e, e);
        }
        EntityManager em = emf.createEntityManager();
        T result;
        try {
            em.joinTransaction();
            result = work.apply(em);
            em.flush();
        } catch (RuntimeException e) {
            em.close();
            try {
                tm.rollback();
            } catch (RuntimeException | SystemException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        em.close();
        try {
            tm.commit();
        } catch (RollbackException | HeuristicMixedException | HeuristicRollbackException e) {
            throw new jakarta.persistence.PersistenceException("JTA commit failed: " + e, e);
        }
        return result;
    }
}
