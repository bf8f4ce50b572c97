package io.sourceflow.aws.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.sourceflow.spi.OutboxEntry;
import io.sourceflow.spi.OutboxRow;
import io.sourceflow.spi.OutboxStatus;
import io.sourceflow.spi.OutboxStore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batched deletes of relayed outbox rows (a hand-written store: our own scheduling logic only). */
class OutboxDeletesTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "timer"));
    private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "pool"));

    @AfterEach
    void stop() {
        timer.shutdownNow();
        pool.shutdownNow();
    }

    /**
     * The timer thread is shared by every linger, heartbeat, claim renewal and handler timeout: a delete (a database
     * transaction) must not run on it, or a slow database holds all of them back.
     */
    @Test
    void aLingeringDeleteRunsOnThePoolNotOnTheTimer() throws Exception {
        DeletingStore store = new DeletingStore();
        OutboxDeletes deletes = new OutboxDeletes(store, pool, timer, Duration.ofMillis(5));

        deletes.add(7L);

        Deleted deleted = store.deleted.poll(10, TimeUnit.SECONDS);
        assertThat(deleted).isNotNull();
        assertThat(deleted.ids()).containsExactly(7L);
        assertThat(deleted.thread()).isEqualTo("pool");
    }

    @Test
    void aFullBatchIsDeletedAtOnceOnThePool() throws Exception {
        DeletingStore store = new DeletingStore();
        OutboxDeletes deletes = new OutboxDeletes(store, pool, timer, Duration.ofHours(1));

        for (long id = 1; id <= OutboxDeletes.MAX_BATCH; id++) {
            deletes.add(id);
        }

        Deleted deleted = store.deleted.poll(10, TimeUnit.SECONDS);
        assertThat(deleted).isNotNull();
        assertThat(deleted.ids()).hasSize(OutboxDeletes.MAX_BATCH);
        assertThat(deleted.thread()).isEqualTo("pool");
    }

    private record Deleted(List<Long> ids, String thread) {
    }

    private static final class DeletingStore implements OutboxStore {
        final BlockingQueue<Deleted> deleted = new ArrayBlockingQueue<>(10);

        @Override
        public void delete(Collection<Long> ids) {
            deleted.add(new Deleted(List.copyOf(ids), Thread.currentThread().getName()));
        }

        @Override
        public long append(OutboxEntry entry, Duration lease) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<OutboxRow> claimExpired(int limit, Duration lease) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void failed(Collection<Long> ids, String error) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void park(long id, String error) {
            throw new UnsupportedOperationException();
        }

        @Override
        public OutboxStatus status() {
            throw new UnsupportedOperationException();
        }
    }
}
