package io.sourceflow.config;

import java.time.Duration;

/**
 * Idempotent processing ({@code sourceflow.idempotency.*}).
 *
 * @param ttl how long a "done" mark is kept; at least the queue retention so that any redelivery is caught
 * @param maxEntries bound of the in-memory store
 * @param store {@value #STORE_MEMORY} (default) or {@value #STORE_JPA} ({@code sourceflow.idempotency.store});
 *              {@code jpa} activates the store of the {@code sourceflow-jpa-idempotency} module
 */
public record IdempotencySettings(Duration ttl, int maxEntries, String store) {

    /** The in-memory store (single instance). */
    public static final String STORE_MEMORY = "memory";
    /** The JPA store of {@code sourceflow-jpa-idempotency} (clusters). */
    public static final String STORE_JPA = "jpa";
}
