/**
 * The built-in, in-memory {@link io.sourceflow.spi.IdempotencyStore}: bounded, expiring and thread-safe. It
 * protects one instance against duplicates; a cluster needs a shared store such as the one in
 * {@code sourceflow-jpa-idempotency}.
 */
package io.sourceflow.idempotency;
