package io.sourceflow.idempotency;

import io.sourceflow.spi.Claim;
import io.sourceflow.spi.ClaimOutcome;
import io.sourceflow.spi.IdempotencyStore;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link IdempotencyStore} in this JVM's memory: the default for a single instance.
 *
 * <p><b>Bound.</b> It holds at most {@code maxEntries} keys (live claims plus done records;
 * {@code sourceflow.idempotency.max-entries}, default 100,000). When a new claim needs room it first drops done
 * records past their TTL, then the oldest done records (by completion time), then claims whose lease has expired,
 * and only when every entry is a live claim, the oldest live claim. Evicting a done record before its TTL means a
 * duplicate of that message arriving later runs its handler again; evicting a live claim means a concurrent
 * duplicate may run alongside the first. Size the bound for the number of messages received within the TTL
 * (roughly 200 bytes per entry) when that matters, or use a persistent store.
 *
 * <p>Nothing survives a restart, and nothing is shared between instances: use {@code sourceflow-jpa-idempotency}
 * for a cluster. All operations take one lock and cost O(1), except eviction of expired claims (a scan, only when
 * the store is full of claims).
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

    /** Default bound, as for {@code sourceflow.idempotency.max-entries}. */
    public static final int DEFAULT_MAX_ENTRIES = 100_000;

    private static final System.Logger LOG = System.getLogger(InMemoryIdempotencyStore.class.getName());

    private record Key(String consumer, String messageId) {
    }

    private record Lease(String owner, Instant expiry) {
    }

    private final int maxEntries;
    private final Clock clock;
    private final String ownerPrefix = UUID.randomUUID() + ":";
    private final AtomicLong attempts = new AtomicLong();
    private final Object lock = new Object();
    /** Live and expired claims, oldest claim first. */
    private final LinkedHashMap<Key, Lease> claims = new LinkedHashMap<>();
    /** Done records and their expiry, oldest completion first. */
    private final LinkedHashMap<Key, Instant> done = new LinkedHashMap<>();
    private long evictedEarly;
    private long evictedLive;

    /**
     * @param maxEntries the bound (at least 1)
     * @param clock      the time source for leases and TTLs
     */
    public InMemoryIdempotencyStore(int maxEntries, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A store with the given bound on the system clock. */
    public InMemoryIdempotencyStore(int maxEntries) {
        this(maxEntries, Clock.systemUTC());
    }

    @Override
    public Claim claim(String consumer, String messageId, Duration lease) {
        Key key = new Key(Objects.requireNonNull(consumer, "consumer"), Objects.requireNonNull(messageId, "messageId"));
        requirePositive(lease, "lease");
        synchronized (lock) {
            Instant now = clock.instant();
            dropExpiredDone(now);
            Lease held = claims.get(key);
            if (held != null && held.expiry().isAfter(now)) {
                return new Claim(consumer, messageId, ClaimOutcome.HELD_ELSEWHERE, null, held.expiry());
            }
            Instant doneUntil = done.get(key);
            if (doneUntil != null) {
                if (doneUntil.isAfter(now)) {
                    return new Claim(consumer, messageId, ClaimOutcome.ALREADY_DONE, null, null);
                }
                done.remove(key);
            }
            if (held != null) {
                claims.remove(key); // an expired lease: taken over below, re-inserted as the newest claim
            } else {
                makeRoom(now);
            }
            Lease mine = new Lease(ownerPrefix + attempts.incrementAndGet(), now.plus(lease));
            claims.put(key, mine);
            return new Claim(consumer, messageId, ClaimOutcome.CLAIMED, mine.owner(), mine.expiry());
        }
    }

    @Override
    public void complete(Claim claim, Duration ttl) {
        requirePositive(ttl, "ttl");
        if (!claim.claimed()) {
            return;
        }
        Key key = new Key(claim.consumer(), claim.messageId());
        synchronized (lock) {
            if (ownedBy(key, claim)) {
                claims.remove(key);
                done.put(key, clock.instant().plus(ttl));
            }
        }
    }

    @Override
    public void release(Claim claim) {
        if (claim == null || !claim.claimed()) {
            return;
        }
        Key key = new Key(claim.consumer(), claim.messageId());
        synchronized (lock) {
            if (ownedBy(key, claim)) {
                claims.remove(key);
            }
        }
    }

    @Override
    public boolean renew(Claim claim, Duration lease) {
        requirePositive(lease, "lease");
        if (!claim.claimed()) {
            return false;
        }
        Key key = new Key(claim.consumer(), claim.messageId());
        synchronized (lock) {
            if (!ownedBy(key, claim)) {
                return false;
            }
            claims.put(key, new Lease(claim.owner(), clock.instant().plus(lease)));
            return true;
        }
    }

    /** Number of keys held now (claims and done records, expired ones not yet dropped included). */
    public int size() {
        synchronized (lock) {
            return claims.size() + done.size();
        }
    }

    /** The bound given at construction. */
    public int maxEntries() {
        return maxEntries;
    }

    /** How many done records or live claims were evicted before they expired, because the store was full. */
    public long evictedBeforeExpiry() {
        synchronized (lock) {
            return evictedEarly;
        }
    }

    private boolean ownedBy(Key key, Claim claim) {
        Lease held = claims.get(key);
        return held != null && held.owner().equals(claim.owner());
    }

    /** Drops expired done records at the head; with one TTL they expire in completion order, so this is amortised O(1). */
    private void dropExpiredDone(Instant now) {
        Iterator<Instant> it = done.values().iterator();
        while (it.hasNext()) {
            if (it.next().isAfter(now)) {
                return;
            }
            it.remove();
        }
    }

    private void makeRoom(Instant now) {
        if (claims.size() + done.size() < maxEntries) {
            return;
        }
        if (!done.isEmpty()) {
            evictOldest(done);
            return;
        }
        claims.values().removeIf(l -> !l.expiry().isAfter(now));
        if (claims.size() < maxEntries) {
            return;
        }
        evictOldest(claims);
        if (evictedLive++ % 10_000 == 0) {
            LOG.log(Level.WARNING, () -> "In-memory idempotency store is full of live claims (" + maxEntries
                    + "); evicted the oldest (" + evictedLive + " so far), so a duplicate of such a message may run "
                    + "concurrently. Raise sourceflow.idempotency.max-entries above the number of messages in flight.");
        }
    }

    private void evictOldest(Map<Key, ?> map) {
        Iterator<Key> it = map.keySet().iterator();
        it.next();
        it.remove();
        if (evictedEarly++ == 0) {
            LOG.log(Level.WARNING, () -> "In-memory idempotency store reached its bound of " + maxEntries
                    + " entries and evicts records before their TTL: a late duplicate of an evicted message would run "
                    + "again. Raise sourceflow.idempotency.max-entries or use sourceflow-jpa-idempotency.");
        }
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
