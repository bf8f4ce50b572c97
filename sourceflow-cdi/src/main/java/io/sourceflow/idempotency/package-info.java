/**
 * The built-in in-memory IdempotencyStore: bounded, expiring, thread-safe, for one instance.
 * Depends on spi only.
 */
package io.sourceflow.idempotency;
