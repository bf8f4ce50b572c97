/**
 * Service-provider interfaces: contracts that applications and add-on modules implement to change how
 * SourceFlow works, such as {@link io.sourceflow.spi.IdempotencyStore}. Types here are public and kept
 * compatible across minor versions; a CDI bean implementing one of them replaces the built-in default.
 */
package io.sourceflow.spi;
