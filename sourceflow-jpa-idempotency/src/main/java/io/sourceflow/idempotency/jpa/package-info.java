/**
 * A JPA-backed {@link io.sourceflow.spi.IdempotencyStore} for clusters: claims live in the application's database
 * (table {@code sourceflow_processed_message}, entity {@link io.sourceflow.idempotency.jpa.ProcessedMessage}) and the
 * "done" mark joins the handler's JTA transaction. {@link io.sourceflow.idempotency.jpa.JpaIdempotencyStore} is the
 * store, {@link io.sourceflow.idempotency.jpa.IdempotencyCleanup} deletes expired rows, and
 * {@link io.sourceflow.idempotency.jpa.JpaIdempotencyExtension} activates both in CDI when
 * {@code sourceflow.idempotency.store=jpa}. See the module README.
 */
package io.sourceflow.idempotency.jpa;
