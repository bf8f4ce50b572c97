/**
 * The configuration model: every sourceflow.* MicroProfile Config key, its default and validation, read and checked once at startup.
 * Depends on MicroProfile Config and the API; never on core, aws, cdi or health.
 */
package io.sourceflow.config;
