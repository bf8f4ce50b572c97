package io.sourceflow.config;

import java.time.Duration;

/**
 * The transactional outbox ({@code sourceflow.outbox.*}).
 *
 * @param enabled       {@code enabled}, default false: messages sent inside a JTA transaction are stored in it (the
 *                      {@code OutboxStore} of {@code sourceflow-jpa-idempotency}) and relayed after the commit
 * @param lease         {@code lease}, default 30s: how long a stored row belongs to the instance relaying it; past it,
 *                      any instance's relay takes it over (after a crash, or while SQS/SNS is unreachable)
 * @param relayInterval {@code relay-interval}, default 2s: how often each instance looks for rows whose lease ran out
 * @param maxLag        {@code max-lag}, default 5m: readiness is DOWN while the oldest unsent row is older
 */
public record OutboxSettings(boolean enabled, Duration lease, Duration relayInterval, Duration maxLag) {
}
