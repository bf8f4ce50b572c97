package io.sourceflow.idempotency.jpa;

import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.spi.IdempotencyStore;
import io.sourceflow.spi.OutboxStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.time.Clock;

/** The stores this module offers, each added by {@link JpaIdempotencyExtension} only when its key turns it on. */
final class JpaStoreBeans {

    private JpaStoreBeans() {
    }

    /** The idempotency store, when {@code sourceflow.idempotency.store=jpa}. */
    @ApplicationScoped
    public static class Idempotency {
        @Produces
        @ApplicationScoped
        IdempotencyStore idempotencyStore(@IdempotencyPersistenceUnit TransactionRunner runner) {
            return new JpaIdempotencyStore(runner, Clock.systemUTC());
        }
    }

    /** The transactional outbox, when {@code sourceflow.outbox.enabled=true}. */
    @ApplicationScoped
    public static class Outbox {
        @Produces
        @ApplicationScoped
        OutboxStore outboxStore(@IdempotencyPersistenceUnit TransactionRunner runner, SourceFlowConfig config) {
            return new JpaOutboxStore(runner, Clock.systemUTC(), config.serviceName().orElse(""));
        }
    }
}
