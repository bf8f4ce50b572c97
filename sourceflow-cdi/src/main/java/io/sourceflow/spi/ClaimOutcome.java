package io.sourceflow.spi;

/** What {@link IdempotencyStore#claim} found for a (consumer, message id) key. */
public enum ClaimOutcome {
    /** This caller now owns the key until the lease expires: run the handler, then complete or release. */
    CLAIMED,
    /** The message was already handled and its "done" mark is still within its TTL: a duplicate; acknowledge it. */
    ALREADY_DONE,
    /** Another owner holds a live lease: leave the message for later (neither handle nor acknowledge it). */
    HELD_ELSEWHERE
}
