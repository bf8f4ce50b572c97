/**
 * A JPA-backed idempotency store for clusters: claims live in the application's database and the
 * "done" mark joins the handler's JTA transaction. Filled by the idempotency work; see the README.
 */
package io.sourceflow.idempotency.jpa;
