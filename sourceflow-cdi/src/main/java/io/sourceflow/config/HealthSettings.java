package io.sourceflow.config;

import java.time.Duration;

/**
 * The MicroProfile Health checks ({@code sourceflow.health.*}); see "Health checks" in docs/operations.md.
 *
 * @param cacheTtl how long a readiness result is reused before AWS is asked again (zero: every call asks)
 * @param timeout how long one readiness check may take in total; each AWS call gets what is left of it
 * @param maxPollAge how long a poller may go without progress before liveness is DOWN
 */
public record HealthSettings(Duration cacheTtl, Duration timeout, Duration maxPollAge) {
}
