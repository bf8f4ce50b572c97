package io.sourceflow.aws.inbound;

import io.sourceflow.spi.Claim;
import io.sourceflow.spi.ClaimOutcome;
import io.sourceflow.spi.IdempotencyStore;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link ClaimRenewal} against a fake {@link IdempotencyStore} and real executors: it renews the claim's lease about
 * every third of the lease, at once when little of the lease is left; it stops on {@code stop()}, when the store says
 * the claim was lost (and logs it), and when the cap has passed (and logs it); a renewal that throws is retried at the
 * next period. Timing is asserted as counts and orders with generous margins, absence over a bounded wait.
 */
class ClaimRenewalTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Clock CLOCK = Clock.systemUTC();

    private ScheduledThreadPoolExecutor scheduler;
    private ThreadPoolExecutor executor;
    private ScheduledThreadPoolExecutor slowScheduler;
    private CapturedLog log;

    @BeforeEach
    void start() {
        scheduler = new ScheduledThreadPoolExecutor(1);
        // a cancelled ticker leaves the queue at once, so "the ticker was cancelled" is observable
        scheduler.setRemoveOnCancelPolicy(true);
        executor = (ThreadPoolExecutor) Executors.newFixedThreadPool(2);
        slowScheduler = new SlowReturningScheduler(executor);
        log = new CapturedLog();
    }

    @AfterEach
    void stop() throws InterruptedException {
        log.close();
        scheduler.shutdownNow();
        slowScheduler.shutdownNow();
        executor.shutdownNow();
        assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(slowScheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void renewsRepeatedlyAboutEveryThirdOfTheLease() {
        Duration lease = Duration.ofMillis(900); // period 300 ms
        long period = TimeUnit.MILLISECONDS.toNanos(300);
        FakeStore store = new FakeStore(call -> true);
        Claim claim = claim(lease);
        long start = System.nanoTime();
        ClaimRenewal renewal = new ClaimRenewal(store, claim, lease, Long.MAX_VALUE, CLOCK, scheduler, executor);

        await().atMost(WAIT).until(() -> store.calls() >= 4);
        renewal.stop();
        long elapsed = System.nanoTime() - start;
        List<Long> times = List.copyOf(store.times);

        assertThat(store.claims).allSatisfy(c -> assertThat(c).isSameAs(claim));
        assertThat(store.leases).allSatisfy(l -> assertThat(l).isEqualTo(lease));
        assertThat(times.get(0) - start).as("first renewal after about one period, not at once")
                .isGreaterThanOrEqualTo(period / 2);
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i) - times.get(i - 1)).as("gap before renewal %d", i).isGreaterThanOrEqualTo(period / 2);
        }
        assertThat((long) times.size()).as("never more often than once a period")
                .isLessThanOrEqualTo(elapsed / period + 1);
    }

    @Test
    void noRenewalAfterStop() {
        Duration lease = Duration.ofMillis(600); // period 200 ms
        FakeStore store = new FakeStore(call -> true);
        ClaimRenewal renewal = new ClaimRenewal(store, claim(lease), lease, Long.MAX_VALUE, CLOCK, scheduler, executor);

        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> store.calls() >= 2);
        renewal.stop();
        int calls = store.calls();

        // bounded wait to show absence: well over two periods
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> store.calls() == calls);
        assertThat(scheduler.getQueue()).as("the ticker was cancelled").isEmpty();
    }

    @Test
    void stoppedBeforeTheFirstPeriodNeverRenews() {
        Duration lease = Duration.ofMillis(1500); // period 500 ms
        FakeStore store = new FakeStore(call -> true);
        ClaimRenewal renewal = new ClaimRenewal(store, claim(lease), lease, Long.MAX_VALUE, CLOCK, scheduler, executor);
        renewal.stop();

        await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(5)).until(() -> store.calls() == 0);
        assertThat(scheduler.getQueue()).isEmpty();
    }

    @Test
    void aLostClaimStopsTheRenewalsAndIsLogged() {
        Duration lease = Duration.ofMillis(600); // period 200 ms
        FakeStore store = new FakeStore(call -> call < 2); // the third renewal finds the claim taken over
        new ClaimRenewal(store, claim(lease), lease, Long.MAX_VALUE, CLOCK, scheduler, executor);

        await().atMost(WAIT).until(() -> store.calls() == 3);
        await().atMost(WAIT).until(() -> log.contains("was lost while its handler ran"));
        // bounded wait to show absence: the call that returned false was the last one
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> store.calls() == 3);
        assertThat(scheduler.getQueue()).as("the ticker was cancelled").isEmpty();
        assertThat(log.records).filteredOn(r -> r.getMessage().contains("was lost"))
                .singleElement().satisfies(r -> {
                    assertThat(r.getLevel()).isEqualTo(Level.WARNING);
                    assertThat(r.getMessage()).contains("msg-1").contains("queue");
                });
    }

    @Test
    void aFailingRenewalIsRetriedAtTheNextPeriod() {
        Duration lease = Duration.ofMillis(600); // period 200 ms
        FakeStore store = new FakeStore(call -> {
            if (call < 2) {
                throw new IllegalStateException("database unavailable");
            }
            return true;
        });
        ClaimRenewal renewal = new ClaimRenewal(store, claim(lease), lease, Long.MAX_VALUE, CLOCK, scheduler, executor);

        await().atMost(WAIT).until(() -> store.answers.size() >= 4);
        renewal.stop();
        assertThat(store.answers.subList(0, 4)).containsExactly("threw", "threw", "true", "true");
        assertThat(log.records).filteredOn(r -> r.getMessage().contains("Could not renew"))
                .hasSize(2).allSatisfy(r -> assertThat(r.getMessage()).contains("database unavailable"));
    }

    @Test
    void renewalsStopOnceTheCapHasPassed() {
        Duration lease = Duration.ofSeconds(3); // period 1 s: ticks at about 1 s, 2 s, 3 s, ... (later on a busy machine)
        long cap = TimeUnit.MILLISECONDS.toNanos(2500);
        FakeStore store = new FakeStore(call -> true);
        long start = System.nanoTime();
        new ClaimRenewal(store, claim(lease), lease, cap, CLOCK, scheduler, executor);

        await().atMost(WAIT).until(() -> log.contains("max-visibility-extension"));
        int calls = store.calls();
        // bounded wait to show absence: two more periods
        await().during(Duration.ofMillis(2200)).atMost(Duration.ofSeconds(10)).until(() -> store.calls() == calls);

        assertThat(calls).as("renewals before the cap (ticks at >= 1 s and >= 2 s)").isBetween(1, 2);
        assertThat(store.times).allSatisfy(t -> assertThat(t - start).isLessThanOrEqualTo(cap + TimeUnit.SECONDS.toNanos(1)));
        assertThat(scheduler.getQueue()).as("the ticker was cancelled").isEmpty();
        assertThat(log.records).filteredOn(r -> r.getMessage().contains("max-visibility-extension"))
                .singleElement().satisfies(r -> assertThat(r.getMessage()).contains("msg-1"));
    }

    @Test
    void aClaimWithLittleLeaseLeftIsRenewedAtOnce() {
        Duration lease = Duration.ofSeconds(6); // period 2 s
        long period = TimeUnit.SECONDS.toNanos(2);
        FakeStore store = new FakeStore(call -> true);
        Claim almostExpired = new Claim("queue", "msg-1", ClaimOutcome.CLAIMED, "owner",
                CLOCK.instant().plusMillis(100));
        long start = System.nanoTime();
        ClaimRenewal renewal = new ClaimRenewal(store, almostExpired, lease, Long.MAX_VALUE, CLOCK, scheduler, executor);

        await().atMost(WAIT).until(() -> store.calls() >= 1);
        renewal.stop();
        assertThat(store.times.get(0) - start).as("first renewal well before one period")
                .isLessThan(period / 2);
    }

    @Test
    void aFreshClaimIsFirstRenewedAfterAPeriod() {
        Duration lease = Duration.ofSeconds(3); // period 1 s
        long period = TimeUnit.SECONDS.toNanos(1);
        FakeStore store = new FakeStore(call -> true);
        long start = System.nanoTime();
        Claim fresh = claim(lease);
        ClaimRenewal renewal = new ClaimRenewal(store, fresh, lease, Long.MAX_VALUE, CLOCK, scheduler, executor);

        await().atMost(WAIT).until(() -> store.calls() >= 1);
        renewal.stop();
        assertThat(store.times.get(0) - start).isGreaterThanOrEqualTo(period - TimeUnit.MILLISECONDS.toNanos(100));
    }

    /**
     * The ticker is started inside the constructor, before the field holding it is assigned. When the first tick comes
     * at once (little lease left) and the constructing thread is held up right after scheduling (a busy machine), a
     * renewal that finds the claim lost stops the renewal before that field is set: the ticker must still be cancelled
     * (it failed with a NullPointerException, logged as a failed renewal, and kept firing, before the fix).
     */
    @Test
    void aClaimLostOnTheImmediateFirstRenewalCancelsTheTicker() {
        Duration lease = Duration.ofSeconds(3);
        FakeStore store = new FakeStore(call -> false);
        Claim almostExpired = new Claim("queue", "msg-1", ClaimOutcome.CLAIMED, "owner",
                CLOCK.instant().plusMillis(100));
        new ClaimRenewal(store, almostExpired, lease, Long.MAX_VALUE, CLOCK, slowScheduler, executor);

        await().atMost(WAIT).until(() -> log.contains("was lost while its handler ran"));
        SoftAssertions.assertSoftly(softly -> {
            softly.assertThat(store.calls()).isEqualTo(1);
            softly.assertThat(log.records).extracting(LogRecord::getMessage).as("the loss is not reported as a failed renewal")
                    .noneMatch(message -> message.contains("Could not renew"));
            softly.assertThat(slowScheduler.getQueue()).as("the ticker was cancelled").isEmpty();
        });
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Holds the thread that schedules the ticker (as if the OS preempted it right after the call) until the first
     * renewal has run on {@code renewals}.
     */
    static final class SlowReturningScheduler extends ScheduledThreadPoolExecutor {
        private final ThreadPoolExecutor renewals;

        SlowReturningScheduler(ThreadPoolExecutor renewals) {
            super(1);
            this.renewals = renewals;
            setRemoveOnCancelPolicy(true);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            ScheduledFuture<?> ticker = super.scheduleWithFixedDelay(command, initialDelay, delay, unit);
            await().atMost(WAIT).until(() -> renewals.getCompletedTaskCount() >= 1);
            return ticker;
        }
    }

    private static Claim claim(Duration lease) {
        return new Claim("queue", "msg-1", ClaimOutcome.CLAIMED, "owner", Instant.now(CLOCK).plus(lease));
    }

    interface Answer {
        /** The answer to the renewal with this index (0-based); may throw. */
        boolean renew(int call);
    }

    /** Only {@code renew} is used: records each call (when, with what) and answers as told. */
    static final class FakeStore implements IdempotencyStore {
        final List<Long> times = new CopyOnWriteArrayList<>();
        final List<Claim> claims = new CopyOnWriteArrayList<>();
        final List<Duration> leases = new CopyOnWriteArrayList<>();
        final List<String> answers = new CopyOnWriteArrayList<>();
        private final Answer answer;

        FakeStore(Answer answer) {
            this.answer = answer;
        }

        int calls() {
            return times.size();
        }

        @Override
        public boolean renew(Claim claim, Duration lease) {
            int call;
            synchronized (this) {
                call = times.size();
                times.add(System.nanoTime());
            }
            claims.add(claim);
            leases.add(lease);
            try {
                boolean result = answer.renew(call);
                answers.add(String.valueOf(result));
                return result;
            } catch (RuntimeException e) {
                answers.add("threw");
                throw e;
            }
        }

        @Override
        public Claim claim(String consumer, String messageId, Duration lease) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void complete(Claim claim, Duration ttl) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void release(Claim claim) {
            throw new UnsupportedOperationException();
        }
    }

    /** Collects what {@link ClaimRenewal} logs (System.Logger goes to java.util.logging here). */
    static final class CapturedLog extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger(ClaimRenewal.class.getName());
        final List<LogRecord> records = new CopyOnWriteArrayList<>();

        CapturedLog() {
            logger.addHandler(this);
        }

        boolean contains(String text) {
            return records.stream().anyMatch(r -> r.getMessage() != null && r.getMessage().contains(text));
        }

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
