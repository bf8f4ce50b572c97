package io.sourceflow.idempotency.jpa;

import jakarta.persistence.EntityManager;

import java.util.function.Function;

/**
 * How {@link JpaIdempotencyStore} and {@link IdempotencyCleanup} get an {@link EntityManager} and a transaction.
 * Implementations: {@link JtaTransactionRunner} (a JTA persistence unit and a {@code TransactionManager}),
 * {@link ResourceLocalTransactionRunner} (a {@code RESOURCE_LOCAL} unit), and in a Jakarta EE server the CDI bean
 * {@link ContainerTransactionRunner} (standard {@code @Transactional} interceptors).
 */
public interface TransactionRunner {

    /**
     * Runs {@code work} in a transaction of its own, committed before this returns; a caller's transaction, if any,
     * is suspended meanwhile. An exception from {@code work} rolls it back and is rethrown.
     */
    <T> T inNewTransaction(Function<EntityManager, T> work);

    /**
     * Runs {@code work} in the caller's active JTA transaction, so that it commits or rolls back with the caller's
     * work; without one, in a transaction of its own. An exception from {@code work} marks a joined transaction
     * rollback-only (or rolls back its own) and is rethrown.
     */
    <T> T inCallerTransaction(Function<EntityManager, T> work);
}
