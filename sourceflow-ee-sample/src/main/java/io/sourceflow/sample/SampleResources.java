package io.sourceflow.sample;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

/**
 * Makes the container-managed, transaction-scoped {@link EntityManager} of the {@code sample} persistence
 * unit injectable through constructors.
 */
@ApplicationScoped
public class SampleResources {

    @Produces
    @PersistenceContext(unitName = "sample")
    private EntityManager entityManager;
}
