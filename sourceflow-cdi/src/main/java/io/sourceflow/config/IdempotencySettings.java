package io.sourceflow.config;

import java.time.Duration;

/**
 * Idempotent processing ({@code sourceflow.idempotency.*}).
 *
 * @param ttl how long a "done" mark is kept; at least the queue retention so that any redelivery is caught
 * @param maxEntries bound of the in-memory store
 */
public record IdempotencySettings(Duration ttl, int maxEntries) {
}
