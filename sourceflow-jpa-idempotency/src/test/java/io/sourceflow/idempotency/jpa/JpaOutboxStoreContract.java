package io.sourceflow.idempotency.jpa;

import io.sourceflow.spi.OutboxEntry;
import io.sourceflow.spi.OutboxRow;
import io.sourceflow.spi.OutboxStatus;
import io.sourceflow.testing.MutableClock;
import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.TransactionManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link JpaOutboxStore} against one real database (subclasses pick it), on Hibernate ORM with Narayana JTA, two
 * "instances" (persistence units) over it. Every test uses its own service (and destination) name, so it sees only
 * its own rows, and deletes them at the end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JpaOutboxStoreContract {

    private static final Duration LEASE = Duration.ofSeconds(30);

    private final TestDatabase db;
    private TransactionManager tm;
    private EntityManagerFactory instanceA;
    private EntityManagerFactory instanceB;
    private MutableClock clock;
    private String destination;

    JpaOutboxStoreContract(TestDatabase db) {
        this.db = db;
    }

    @BeforeAll
    void startDatabase() {
        db.requireAndCreateSchema();
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
        }
    }

    @AfterEach
    void noTransactionNorRowLeftBehind() throws Exception {
        if (tm != null && tm.getTransaction() != null) {
            tm.rollback();
        }
        db.execute("delete from sourceflow_outbox where service = '" + destination + "'");
    }

    @Test
    void anotherServicesRowsAreNeitherClaimedNorCounted() throws Exception {
        JpaOutboxStore mine = store(instanceA);
        JpaOutboxStore theirs = new JpaOutboxStore(new JtaTransactionRunner(instanceB, tm), clock, destination + "-other");
        try {
            committed(theirs, entry("m-theirs", Optional.empty()));
            clock.advance(LEASE.plusMillis(1));
            assertThat(mine.claimExpired(100, LEASE)).isEmpty();
            assertThat(mine.status().pending()).isZero();
            assertThat(theirs.claimExpired(100, LEASE)).hasSize(1);
        } finally {
            db.execute("delete from sourceflow_outbox where service = '" + destination + "-other'");
        }
    }

    @BeforeEach
    void freshDestination() {
        // the same clock for both instances, far ahead of other tests' rows once advanced: only this test's rows expire
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MICROS));
        destination = "outbox-store-" + UUID.randomUUID();
    }

    private JpaOutboxStore store(EntityManagerFactory emf) {
        return new JpaOutboxStore(new JtaTransactionRunner(emf, tm), clock, destination);
    }

    private OutboxEntry entry(String id, Optional<String> group) {
        return new OutboxEntry(OutboxEntry.QUEUE, destination, group, id, "Ship", "{\"id\":\"" + id + "\"}",
                Map.of("sourceflow.type", "Ship", "odd name=&", "välue & more=%"));
    }

    /** Appends in a transaction of its own that commits, as a sender's transaction would. */
    private long committed(JpaOutboxStore store, OutboxEntry entry) throws Exception {
        tm.begin();
        long id = store.append(entry, LEASE);
        tm.commit();
        return id;
    }

    private List<OutboxRow> mine(List<OutboxRow> rows) {
        return rows.stream().filter(r -> r.entry().destination().equals(destination)).toList();
    }

    @Test
    void aRowCommittedWithItsTransactionComesBackIntactOnceItsLeaseRanOut() throws Exception {
        JpaOutboxStore store = store(instanceA);
        OutboxEntry entry = entry("m-1", Optional.of("order-7"));
        long id = committed(store, entry);

        assertThat(mine(store.claimExpired(100, LEASE))).as("still leased to the instance that stored it").isEmpty();
        clock.advance(LEASE.plusMillis(1));
        List<OutboxRow> rows = mine(store(instanceB).claimExpired(100, LEASE));
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.id()).isEqualTo(id);
            assertThat(row.entry()).isEqualTo(entry);
            assertThat(row.attempts()).isZero();
        });
        assertThat(mine(store.claimExpired(100, LEASE))).as("leased again to the claimer").isEmpty();
    }

    @Test
    void aRowOfARolledBackTransactionNeverExists() throws Exception {
        JpaOutboxStore store = store(instanceA);
        tm.begin();
        store.append(entry("m-1", Optional.empty()), LEASE);
        tm.rollback();
        clock.advance(LEASE.plusMillis(1));
        assertThat(mine(store.claimExpired(100, LEASE))).isEmpty();
        assertThat(db.count("select count(*) from sourceflow_outbox where destination = '" + destination + "'")).isZero();
    }

    @Test
    void appendOutsideATransactionIsRefused() {
        EntityManagerFactory emf = HibernateSe.resourceLocal(db);
        try {
            JpaOutboxStore resourceLocal = new JpaOutboxStore(new ResourceLocalTransactionRunner(emf), clock, destination);
            assertThatThrownBy(() -> resourceLocal.append(entry("m-1", Optional.empty()), LEASE))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("JTA persistence unit");
        } finally {
            emf.close();
        }
    }

    @Test
    void rowsComeBackInTheOrderTheyWereStored() throws Exception {
        JpaOutboxStore store = store(instanceA);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(committed(store, entry("m-" + i, Optional.of("g"))));
        }
        clock.advance(LEASE.plusMillis(1));
        assertThat(mine(store.claimExpired(100, LEASE))).extracting(OutboxRow::id).containsExactlyElementsOf(ids);
    }

    @Test
    void twoInstancesClaimingAtOnceNeverGetTheSameRow() throws Exception {
        JpaOutboxStore a = store(instanceA);
        JpaOutboxStore b = store(instanceB);
        for (int i = 0; i < 60; i++) {
            committed(a, entry("m-" + i, Optional.empty()));
        }
        clock.advance(LEASE.plusMillis(1));
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<Long>>> claims = new ArrayList<>();
            for (JpaOutboxStore claimer : List.of(a, b)) {
                Callable<List<Long>> claimAll = () -> {
                    together.await(10, TimeUnit.SECONDS);
                    List<Long> got = new ArrayList<>();
                    for (int round = 0; round < 10; round++) {
                        mine(claimer.claimExpired(7, LEASE)).forEach(row -> got.add(row.id()));
                    }
                    return got;
                };
                claims.add(pool.submit(claimAll));
            }
            List<Long> first = claims.get(0).get(60, TimeUnit.SECONDS);
            List<Long> second = claims.get(1).get(60, TimeUnit.SECONDS);
            Set<Long> both = new HashSet<>(first);
            both.retainAll(second);
            assertThat(both).as("claimed by both").isEmpty();
            assertThat(first.size() + second.size()).isEqualTo(60);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void parkedRowsAreNotRelayedAndAreCountedApart() throws Exception {
        JpaOutboxStore store = store(instanceA);
        long parked = committed(store, entry("m-parked", Optional.empty()));
        long failed = committed(store, entry("m-failed", Optional.empty()));
        long sent = committed(store, entry("m-sent", Optional.empty()));
        OutboxStatus before = store.status();

        store.park(parked, "QueueDoesNotExist: the queue is gone");
        store.failed(List.of(failed), "Connection refused");
        store.delete(List.of(sent));

        OutboxStatus after = store.status();
        assertThat(before.pending()).isEqualTo(3);
        assertThat(after.parked()).isEqualTo(1);
        assertThat(after.pending()).isEqualTo(1);
        clock.advance(LEASE.plusMillis(1));
        assertThat(mine(store.claimExpired(100, LEASE))).singleElement().satisfies(row -> {
            assertThat(row.id()).isEqualTo(failed);
            assertThat(row.attempts()).isEqualTo(1);
        });
        assertThat(db.count("select count(*) from sourceflow_outbox where id = " + parked
                + " and parked = true and last_error like 'QueueDoesNotExist%'")).isEqualTo(1);
    }
}
