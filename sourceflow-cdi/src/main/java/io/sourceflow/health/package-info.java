/**
 * MicroProfile Health checks (startup, readiness, liveness), registered by the extension only when the Health API is present.
 * Depends on aws (TransportStatus, clients) and config.
 */
package io.sourceflow.health;
