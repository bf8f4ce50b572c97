package io.sourceflow.idempotency;

import io.sourceflow.testing.MutableClock;
import io.sourceflow.spi.Claim;
import io.sourceflow.spi.ClaimOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryIdempotencyStoreTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration TTL = Duration.ofDays(1);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(1000, clock);

    @Test
    void claimThenCompleteMakesTheNextClaimADuplicate() {
        Claim claim = store.claim("orders", "m1", LEASE);
        assertThat(claim.outcome()).isEqualTo(ClaimOutcome.CLAIMED);
        assertThat(claim.owner()).isNotBlank();
        assertThat(claim.leaseExpiry()).isEqualTo(clock.instant().plus(LEASE));

        store.complete(claim, TTL);

        assertThat(store.claim("orders", "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.ALREADY_DONE);
        assertThat(store.claim("payments", "m1", LEASE).outcome()).as("another consumer, another key")
                .isEqualTo(ClaimOutcome.CLAIMED);
    }

    @Test
    void aLiveClaimIsHeldElsewhere() {
        Claim first = store.claim("orders", "m1", LEASE);
        Claim second = store.claim("orders", "m1", LEASE);
        assertThat(second.outcome()).isEqualTo(ClaimOutcome.HELD_ELSEWHERE);
        assertThat(second.owner()).isNull();
        assertThat(second.leaseExpiry()).isEqualTo(first.leaseExpiry());
    }

    @Test
    void releaseLetsARetryClaimAgain() {
        Claim first = store.claim("orders", "m1", LEASE);
        store.release(first);
        Claim retry = store.claim("orders", "m1", LEASE);
        assertThat(retry.outcome()).isEqualTo(ClaimOutcome.CLAIMED);
        assertThat(retry.owner()).isNotEqualTo(first.owner());
        store.complete(retry, TTL);
        assertThat(store.claim("orders", "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.ALREADY_DONE);
        store.release(first); // already gone: no exception, no effect
        store.release(retry); // done: not undone
        assertThat(store.claim("orders", "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.ALREADY_DONE);
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheStaleOwnerIsIgnored() {
        Claim crashed = store.claim("orders", "m1", LEASE);
        clock.advance(LEASE.plusMillis(1));

        Claim takeOver = store.claim("orders", "m1", LEASE);
        assertThat(takeOver.outcome()).isEqualTo(ClaimOutcome.CLAIMED);
        assertThat(takeOver.owner()).isNotEqualTo(crashed.owner());

        store.complete(crashed, TTL);
        store.release(crashed);
        assertThat(store.renew(crashed, LEASE)).isFalse();
        assertThat(store.claim("orders", "m1", LEASE).outcome()).as("the new owner still holds it")
                .isEqualTo(ClaimOutcome.HELD_ELSEWHERE);

        store.complete(takeOver, TTL);
        assertThat(store.claim("orders", "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.ALREADY_DONE);
    }

    @Test
    void renewExtendsTheLease() {
        Claim claim = store.claim("orders", "m1", LEASE);
        clock.advance(Duration.ofSeconds(20));
        assertThat(store.renew(claim, LEASE)).isTrue();
        clock.advance(Duration.ofSeconds(20)); // past the first lease, within the renewed one
        assertThat(store.claim("orders", "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.HELD_ELSEWHERE);
        store.complete(claim, TTL);
        assertThat(store.renew(claim, LEASE)).as("done: no longer a claim").isFalse();
    }

    @Test
    void doneRecordsExpireAfterTheirTtl() {
        store.complete(store.claim("orders", "m1", LEASE), TTL);
        clock.advance(TTL.minusSeconds(1));
        assertThat(store.claim("orders", "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.ALREADY_DONE);
        clock.advance(Duration.ofSeconds(1));
        assertThat(store.claim("orders", "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.CLAIMED);
    }

    @Test
    void underPressureTheOldestDoneRecordsGoFirstAndLiveClaimsStay() {
        InMemoryIdempotencyStore small = new InMemoryIdempotencyStore(3, clock);
        Claim live = small.claim("q", "live", LEASE);
        small.complete(small.claim("q", "done-1", LEASE), TTL);
        small.complete(small.claim("q", "done-2", LEASE), TTL);

        assertThat(small.claim("q", "new", LEASE).outcome()).isEqualTo(ClaimOutcome.CLAIMED);

        assertThat(small.size()).isEqualTo(3);
        assertThat(small.evictedBeforeExpiry()).isEqualTo(1);
        assertThat(small.claim("q", "live", LEASE).outcome()).isEqualTo(ClaimOutcome.HELD_ELSEWHERE);
        assertThat(small.claim("q", "done-2", LEASE).outcome()).isEqualTo(ClaimOutcome.ALREADY_DONE);
        assertThat(small.renew(live, LEASE)).isTrue();
    }

    @Test
    void expiredClaimsGoBeforeLiveOnesWhenThereIsNoDoneRecord() {
        InMemoryIdempotencyStore small = new InMemoryIdempotencyStore(2, clock);
        small.claim("q", "abandoned", Duration.ofSeconds(1));
        small.claim("q", "live", LEASE);
        clock.advance(Duration.ofSeconds(2));

        assertThat(small.claim("q", "new", LEASE).outcome()).isEqualTo(ClaimOutcome.CLAIMED);
        assertThat(small.size()).isEqualTo(2);
        assertThat(small.claim("q", "live", LEASE).outcome()).isEqualTo(ClaimOutcome.HELD_ELSEWHERE);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void eightThreadsClaimingTheSameIdsGetExactlyOneClaimPerId() throws Exception {
        int threads = 8;
        int ids = 5_000;
        InMemoryIdempotencyStore shared = new InMemoryIdempotencyStore(100_000);
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Callable<int[]> worker = () -> {
                    int[] claimedPerId = new int[ids];
                    start.await();
                    for (int i = 0; i < ids; i++) {
                        Claim c = shared.claim("orders", "id-" + i, LEASE);
                        if (c.claimed()) {
                            claimedPerId[i]++;
                            if (i % 2 == 0) {
                                shared.complete(c, TTL);
                            }
                        }
                    }
                    return claimedPerId;
                };
                results.add(pool.submit(worker));
            }
            int[] total = new int[ids];
            for (Future<int[]> f : results) {
                int[] r = f.get();
                for (int i = 0; i < ids; i++) {
                    total[i] += r[i];
                }
            }
            for (int i = 0; i < ids; i++) {
                assertThat(total[i]).as("CLAIMED results for id-" + i).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aMillionDistinctIdsStayWithinTheBound() {
        int bound = 10_000;
        InMemoryIdempotencyStore bounded = new InMemoryIdempotencyStore(bound, clock);
        for (int i = 0; i < 1_000_000; i++) {
            Claim c = bounded.claim("orders", Integer.toString(i), LEASE);
            assertThat(c.claimed()).isTrue();
            if (i % 1000 != 0) {
                bounded.complete(c, TTL); // every thousandth stays a live claim (a slow handler), and must survive
            }
            if (i % 100_000 == 0) {
                assertThat(bounded.size()).isLessThanOrEqualTo(bound);
            }
        }
        assertThat(bounded.size()).isLessThanOrEqualTo(bound);
        assertThat(bounded.size()).isEqualTo(bound);
        assertThat(bounded.claim("orders", "0", LEASE).outcome()).as("the oldest live claim was kept")
                .isEqualTo(ClaimOutcome.HELD_ELSEWHERE);
    }
}
