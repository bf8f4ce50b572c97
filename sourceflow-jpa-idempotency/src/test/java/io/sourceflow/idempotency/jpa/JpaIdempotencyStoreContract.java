package io.sourceflow.idempotency.jpa;

import io.sourceflow.testing.MutableClock;
import io.sourceflow.spi.Claim;
import io.sourceflow.spi.ClaimOutcome;
import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.TransactionManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JPA store against one real database (subclasses pick it), on Hibernate ORM 6.6 with Narayana JTA. Every test
 * uses its own consumer name, so runs never collide and leftovers never matter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JpaIdempotencyStoreContract {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration TTL = Duration.ofDays(14);

    private final TestDatabase db;
    private final String businessTable = "sf_test_business_" + UUID.randomUUID().toString().substring(0, 8);
    private TransactionManager tm;
    private EntityManagerFactory instanceA;
    private EntityManagerFactory instanceB;
    private MutableClock clock;
    private String consumer;

    JpaIdempotencyStoreContract(TestDatabase db) {
        this.db = db;
    }

    @BeforeAll
    void startDatabase() {
        db.requireAndCreateSchema();
        db.execute("create table " + businessTable + " (id varchar(64) primary key, amount int not null)");
        tm = NarayanaJta.transactionManager();
        EnlistedDataSource dataSource = new EnlistedDataSource(db.xaDataSource(), tm);
        instanceA = HibernateSe.jta(dataSource);
        instanceB = HibernateSe.jta(dataSource);
    }

    @AfterAll
    void stopDatabase() {
        if (instanceA != null) {
            instanceA.close();
            instanceB.close();
            db.execute("drop table " + businessTable);
        }
    }

    @org.junit.jupiter.api.AfterEach
    void noTransactionLeftBehind() throws Exception {
        if (tm != null && tm.getTransaction() != null) {
            tm.rollback();
        }
    }

    @BeforeEach
    void freshKeySpace() {
        // the database keeps microseconds: a clock in whole microseconds makes stored and computed instants equal
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MICROS));
        consumer = "test-" + UUID.randomUUID();
    }

    private JpaIdempotencyStore store(EntityManagerFactory emf) {
        return new JpaIdempotencyStore(new JtaTransactionRunner(emf, tm), clock);
    }

    @Test
    void claimDuplicateAndHeldElsewhere() {
        JpaIdempotencyStore a = store(instanceA);
        JpaIdempotencyStore b = store(instanceB);

        Claim claim = a.claim(consumer, "m1", LEASE);
        assertThat(claim.outcome()).isEqualTo(ClaimOutcome.CLAIMED);
        assertThat(claim.leaseExpiry()).isEqualTo(clock.instant().plus(LEASE));

        Claim other = b.claim(consumer, "m1", LEASE);
        assertThat(other.outcome()).isEqualTo(ClaimOutcome.HELD_ELSEWHERE);
        assertThat(other.leaseExpiry()).isEqualTo(claim.leaseExpiry());

        a.complete(claim, TTL);
        assertThat(b.claim(consumer, "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.ALREADY_DONE);
        assertThat(a.claim(consumer, "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.ALREADY_DONE);
        assertThat(status("m1")).isEqualTo("DONE");
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheStaleOwnerIsIgnored() {
        JpaIdempotencyStore crashed = store(instanceA);
        JpaIdempotencyStore survivor = store(instanceB);
        Claim abandoned = crashed.claim(consumer, "m1", LEASE);

        clock.advance(LEASE.plusMillis(1));
        Claim takeOver = survivor.claim(consumer, "m1", LEASE);
        assertThat(takeOver.outcome()).isEqualTo(ClaimOutcome.CLAIMED);
        assertThat(takeOver.owner()).isNotEqualTo(abandoned.owner());

        crashed.complete(abandoned, TTL);
        assertThat(status("m1")).as("stale complete ignored").isEqualTo("CLAIMED");
        assertThat(crashed.renew(abandoned, LEASE)).isFalse();
        crashed.release(abandoned);
        assertThat(crashed.claim(consumer, "m1", LEASE).outcome()).as("the new owner still holds it")
                .isEqualTo(ClaimOutcome.HELD_ELSEWHERE);

        survivor.complete(takeOver, TTL);
        assertThat(crashed.claim(consumer, "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.ALREADY_DONE);
    }

    @Test
    void releaseLetsARetryRunAndReleasingAgainIsHarmless() {
        JpaIdempotencyStore a = store(instanceA);
        Claim failed = a.claim(consumer, "m1", LEASE);
        a.release(failed);
        assertThat(rows("m1")).isZero();

        Claim retry = store(instanceB).claim(consumer, "m1", LEASE);
        assertThat(retry.outcome()).isEqualTo(ClaimOutcome.CLAIMED);
        a.release(failed); // gone: no exception, and the retry's claim stays
        assertThat(status("m1")).isEqualTo("CLAIMED");
        a.complete(retry, TTL);
        a.release(retry); // done is not undone
        assertThat(status("m1")).isEqualTo("DONE");
    }

    @Test
    void renewKeepsTheLeaseAlive() {
        JpaIdempotencyStore a = store(instanceA);
        Claim claim = a.claim(consumer, "m1", LEASE);
        clock.advance(Duration.ofSeconds(20));
        assertThat(a.renew(claim, LEASE)).isTrue();
        clock.advance(Duration.ofSeconds(20));
        assertThat(store(instanceB).claim(consumer, "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.HELD_ELSEWHERE);
    }

    @Test
    void aDoneRecordPastItsTtlCountsAsAbsent() {
        JpaIdempotencyStore a = store(instanceA);
        a.complete(a.claim(consumer, "m1", LEASE), Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(5).minusSeconds(1));
        assertThat(a.claim(consumer, "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.ALREADY_DONE);
        clock.advance(Duration.ofSeconds(2));
        assertThat(store(instanceB).claim(consumer, "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.CLAIMED);
    }

    @Test
    void keysAreCaseSensitive() {
        JpaIdempotencyStore a = store(instanceA);
        assertThat(a.claim(consumer, "abc", LEASE).outcome()).isEqualTo(ClaimOutcome.CLAIMED);
        assertThat(a.claim(consumer, "ABC", LEASE).outcome()).isEqualTo(ClaimOutcome.CLAIMED);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void twoInstancesClaimingConcurrentlyGetExactlyOneClaimPerMessage() throws Exception {
        int threadsPerInstance = 4;
        int messages = 40;
        List<JpaIdempotencyStore> stores = List.of(store(instanceA), store(instanceB));
        int threads = threadsPerInstance * stores.size();
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicInteger[] claimed = new AtomicInteger[messages];
        for (int i = 0; i < messages; i++) {
            claimed[i] = new AtomicInteger();
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                JpaIdempotencyStore s = stores.get(t % stores.size());
                Callable<Void> worker = () -> {
                    start.await();
                    for (int i = 0; i < messages; i++) {
                        Claim c = s.claim(consumer, "m" + i, LEASE);
                        if (c.claimed()) {
                            claimed[i].incrementAndGet();
                        } else {
                            assertThat(c.outcome()).isIn(ClaimOutcome.HELD_ELSEWHERE, ClaimOutcome.ALREADY_DONE);
                        }
                    }
                    return null;
                };
                done.add(pool.submit(worker));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < messages; i++) {
            assertThat(claimed[i].get()).as("CLAIMED results for m" + i).isEqualTo(1);
        }
        assertThat(db.count("select count(*) from sourceflow_processed_message where consumer = '" + consumer + "'"))
                .isEqualTo(messages);
    }

    @Test
    void aRolledBackHandlerTransactionLeavesNeitherItsRowNorTheDoneMark() throws Exception {
        JpaIdempotencyStore store = store(instanceA);
        Claim claim = store.claim(consumer, "m1", LEASE);
        String orderId = consumer + "-order";

        tm.begin();
        handlerWritesRow(orderId);
        store.complete(claim, TTL);
        tm.rollback(); // the handler failed after its write and the mark

        assertThat(db.count("select count(*) from " + businessTable + " where id = '" + orderId + "'")).isZero();
        assertThat(status("m1")).as("the mark rolled back with the handler's row").isEqualTo("CLAIMED");

        store.release(claim);
        Claim retry = store(instanceB).claim(consumer, "m1", LEASE);
        assertThat(retry.outcome()).isEqualTo(ClaimOutcome.CLAIMED);
        tm.begin();
        handlerWritesRow(orderId);
        store(instanceB).complete(retry, TTL);
        tm.commit();

        assertThat(db.count("select count(*) from " + businessTable + " where id = '" + orderId + "'")).isEqualTo(1);
        assertThat(status("m1")).isEqualTo("DONE");
        assertThat(store.claim(consumer, "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.ALREADY_DONE);
    }

    @Test
    void aStaleOwnersCompleteInsideATransactionRollsTheHandlerBack() throws Exception {
        JpaIdempotencyStore slow = store(instanceA);
        Claim stale = slow.claim(consumer, "m1", LEASE);
        clock.advance(LEASE.plusSeconds(1));
        Claim takeOver = store(instanceB).claim(consumer, "m1", LEASE);
        assertThat(takeOver.claimed()).isTrue();

        tm.begin();
        handlerWritesRow(consumer + "-stale");
        slow.complete(stale, TTL);
        assertThat(tm.getStatus()).isEqualTo(jakarta.transaction.Status.STATUS_MARKED_ROLLBACK);
        tm.rollback();

        assertThat(db.count("select count(*) from " + businessTable + " where id = '" + consumer + "-stale'")).isZero();
        assertThat(status("m1")).isEqualTo("CLAIMED");
        assertThat(owner("m1")).isEqualTo(takeOver.owner());
    }

    @Test
    void completeWithoutATransactionCommitsOnItsOwn() {
        JpaIdempotencyStore store = store(instanceA);
        store.complete(store.claim(consumer, "m1", LEASE), TTL);
        assertThat(status("m1")).isEqualTo("DONE");
    }

    @Test
    void theResourceLocalRunnerGivesTheSameAnswers() {
        EntityManagerFactory local = HibernateSe.resourceLocal(db);
        try {
            JpaIdempotencyStore store = new JpaIdempotencyStore(new ResourceLocalTransactionRunner(local), clock);
            Claim claim = store.claim(consumer, "m1", LEASE);
            assertThat(claim.outcome()).isEqualTo(ClaimOutcome.CLAIMED);
            assertThat(store.claim(consumer, "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.HELD_ELSEWHERE);
            clock.advance(LEASE.plusSeconds(1));
            Claim takeOver = store.claim(consumer, "m1", LEASE);
            assertThat(takeOver.claimed()).isTrue();
            store.complete(claim, TTL);
            assertThat(status("m1")).isEqualTo("CLAIMED");
            store.complete(takeOver, TTL);
            assertThat(store.claim(consumer, "m1", LEASE).outcome()).isEqualTo(ClaimOutcome.ALREADY_DONE);
        } finally {
            local.close();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void cleanupRemovesExpiredRowsInBatchesWithTwoInstancesCleaningAtOnce() throws Exception {
        int batch = 50;
        int expired = 10 * batch;
        int live = 30;
        Instant now = clock.instant();
        insertRows(expired, "DONE", now.minus(Duration.ofDays(1)), "expired-");
        insertRows(live / 2, "DONE", now.plus(Duration.ofDays(1)), "live-done-");
        insertRows(live / 2, "CLAIMED", now.plus(LEASE), "live-claim-");
        Claim abandoned = store(instanceA).claim(consumer, "abandoned", Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(2));

        IdempotencyCleanup cleanerA = new IdempotencyCleanup(new JtaTransactionRunner(instanceA, tm), clock, batch);
        IdempotencyCleanup cleanerB = new IdempotencyCleanup(new JtaTransactionRunner(instanceB, tm), clock, batch);
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int deleted;
        try {
            Future<Integer> a = pool.submit(() -> {
                start.await();
                return cleanerA.runOnce();
            });
            Future<Integer> b = pool.submit(() -> {
                start.await();
                return cleanerB.runOnce();
            });
            deleted = a.get() + b.get();
        } finally {
            pool.shutdownNow();
        }

        String mine = "select count(*) from sourceflow_processed_message where consumer = '" + consumer + "'";
        assertThat(db.count(mine + " and message_id like 'expired-%'")).isZero();
        assertThat(db.count(mine + " and message_id = 'abandoned'")).as("abandoned claim past its lease").isZero();
        assertThat(db.count(mine + " and message_id like 'live-%'")).isEqualTo(live);
        // other tests' rows may have expired as well on this clock, so at least ours
        assertThat(deleted).isGreaterThanOrEqualTo(expired + 1);
        assertThat(cleanerA.runOnce()).as("nothing left to delete").isZero();
        assertThat(abandoned.claimed()).isTrue();
    }

    private void handlerWritesRow(String id) {
        // the handler's own database work, through the same JTA-enlisted data source
        var em = instanceA.createEntityManager();
        try {
            em.joinTransaction();
            em.createNativeQuery("insert into " + businessTable + " (id, amount) values (?, 42)")
                    .setParameter(1, id)
                    .executeUpdate();
        } finally {
            em.close();
        }
    }

    private void insertRows(int count, String status, Instant expiresAt, String prefix) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "insert into sourceflow_processed_message (consumer, message_id, status, owner, lease_expiry, "
                        + "processed_at, expires_at) values (?, ?, ?, 'test', ?, ?, ?)")) {
            for (int i = 0; i < count; i++) {
                ps.setString(1, consumer);
                ps.setString(2, prefix + i);
                ps.setString(3, status);
                ps.setTimestamp(4, status.equals("CLAIMED") ? Timestamp.from(expiresAt) : null);
                ps.setTimestamp(5, status.equals("DONE") ? Timestamp.from(expiresAt.minus(TTL)) : null);
                ps.setTimestamp(6, Timestamp.from(expiresAt));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private String status(String messageId) {
        return column("status", messageId);
    }

    private String owner(String messageId) {
        return column("owner", messageId);
    }

    private long rows(String messageId) {
        return db.count("select count(*) from sourceflow_processed_message where consumer = '" + consumer
                + "' and message_id = '" + messageId + "'");
    }

    private String column(String column, String messageId) {
        try (Connection c = db.connect(); var s = c.prepareStatement("select " + column
                + " from sourceflow_processed_message where consumer = ? and message_id = ?")) {
            s.setString(1, consumer);
            s.setString(2, messageId);
            try (var rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
