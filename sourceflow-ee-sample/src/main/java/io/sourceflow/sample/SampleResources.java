package io.sourceflow.sample;

import io.sourceflow.idempotency.jpa.IdempotencyPersistenceUnit;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceUnit;

/**
 * Makes the container-managed, transaction-scoped {@link EntityManager} of the {@code sample} persistence
 * unit injectable through constructors, and hands the same unit to SourceFlow's JPA idempotency store
 * ({@code sourceflow.idempotency.store=jpa}): its "done" marks then commit in the handlers' transactions.
 */
@ApplicationScoped
public class SampleResources {

    @Produces
    @PersistenceContext(unitName = "sample")
    private EntityManager entityManager;

    @Produces
    @IdempotencyPersistenceUnit
    @PersistenceUnit(unitName = "sample")
    private EntityManagerFactory idempotencyUnit;
}
