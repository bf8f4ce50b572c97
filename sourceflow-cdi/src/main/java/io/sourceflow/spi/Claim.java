package io.sourceflow.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * The result of {@link IdempotencyStore#claim}; pass it back to {@link IdempotencyStore#complete},
 * {@link IdempotencyStore#release} or {@link IdempotencyStore#renew}.
 *
 * @param consumer    the consuming queue (first half of the key)
 * @param messageId   the CloudEvents {@code id} of the message (second half of the key)
 * @param outcome     what the claim found
 * @param owner       opaque token unique to this claim attempt; the store acts on a claim only while the stored
 *                    owner still equals it, so a stale owner cannot clobber a take-over. {@code null} unless
 *                    {@link ClaimOutcome#CLAIMED}
 * @param leaseExpiry when the lease ends (for {@link ClaimOutcome#CLAIMED}: this claim's lease; for
 *                    {@link ClaimOutcome#HELD_ELSEWHERE}: the other owner's lease, if known); {@code null} otherwise
 */
public record Claim(String consumer, String messageId, ClaimOutcome outcome, String owner, Instant leaseExpiry) {

    /** Checks the key and outcome; {@code owner} and {@code leaseExpiry} are required for {@link ClaimOutcome#CLAIMED}. */
    public Claim {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(outcome, "outcome");
        if (outcome == ClaimOutcome.CLAIMED && (owner == null || leaseExpiry == null)) {
            throw new IllegalArgumentException("a CLAIMED claim needs an owner and a lease expiry");
        }
    }

    /** {@code true} if this caller owns the key and must handle the message. */
    public boolean claimed() {
        return outcome == ClaimOutcome.CLAIMED;
    }
}
