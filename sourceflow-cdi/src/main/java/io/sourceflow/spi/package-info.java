/**
 * Service-provider interfaces applications and add-on modules implement (IdempotencyStore, OutboxStore); public, kept compatible across minor versions.
 * Depends on the API only.
 */
package io.sourceflow.spi;
