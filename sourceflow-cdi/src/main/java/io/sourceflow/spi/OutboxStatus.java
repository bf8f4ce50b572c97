package io.sourceflow.spi;

import java.time.Instant;
import java.util.Optional;

/**
 * What the outbox holds.
 *
 * @param pending        rows waiting to be relayed (parked rows not included)
 * @param oldestPending  when the oldest of them was stored
 * @param parked         rows that can never be sent as they are, kept with their error for an operator
 */
public record OutboxStatus(long pending, Optional<Instant> oldestPending, long parked) {
}
