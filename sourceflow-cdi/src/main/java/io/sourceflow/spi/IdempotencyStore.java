package io.sourceflow.spi;

import java.time.Duration;

/**
 * Remembers which messages a consumer has handled, so that a redelivered or duplicated message runs its handler
 * once. The key is (consumer, message id): the queue being consumed and the CloudEvents {@code id}.
 *
 * <p>Protocol: {@link #claim} before handling; on {@link ClaimOutcome#CLAIMED} run the handler, then
 * {@link #complete} on success or {@link #release} on failure; {@link #renew} the lease while a slow handler runs.
 * A claim is a lease: when its owner crashes, the lease expires and another caller can take the key over
 * ({@code claim} then returns {@code CLAIMED} with a new owner). Every operation on an existing claim acts only while
 * the stored owner equals {@link Claim#owner()}, so a stale owner's late {@code complete}, {@code release} or
 * {@code renew} after a take-over changes nothing.
 *
 * <p>States of a key: absent, claimed (live or expired lease), done (within or past its TTL). An expired lease, a
 * released key and a done record past its TTL all count as absent for {@code claim}.
 *
 * <p>Implementations must be thread-safe. SourceFlow uses a CDI bean of this type if the application has one, and
 * the bounded in-memory store otherwise.
 */
public interface IdempotencyStore {

    /**
     * Atomically claims (consumer, messageId) for this caller for {@code lease}.
     *
     * @return {@link ClaimOutcome#CLAIMED} with a fresh owner token if the key was absent, released, expired or
     *         past its TTL; {@link ClaimOutcome#ALREADY_DONE} if it is done within its TTL;
     *         {@link ClaimOutcome#HELD_ELSEWHERE} if another owner's lease is live
     */
    Claim claim(String consumer, String messageId, Duration lease);

    /**
     * Marks a claim done, kept for {@code ttl}; joins the caller's JTA transaction when the store is transactional
     * and one is active, so the mark commits or rolls back with the handler's work. Does nothing if the claim was
     * taken over (owner mismatch) or is not a {@link ClaimOutcome#CLAIMED} claim.
     */
    void complete(Claim claim, Duration ttl);

    /**
     * Releases a claim after a failure so a retry can run. Never throws for a claim that is already gone, taken
     * over or done.
     */
    void release(Claim claim);

    /**
     * Extends a live claim's lease to now + {@code lease} (a heartbeat for slow handlers).
     *
     * @return {@code false} if the claim was lost (taken over, released or done) and the caller no longer owns it
     */
    boolean renew(Claim claim, Duration lease);
}
