package io.sourceflow.aws.inbound;

import io.sourceflow.aws.inbound.InboundOutcome.Disposition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The standard-queue side of {@link MessageSink}: a worker that finishes a message takes the next waiting one itself
 * instead of waking another thread for it (fewer hand-offs under load), a handler that blocks never holds back the
 * messages behind it, and an executor that refuses the work releases the waiting messages and their slots at once.
 */
class MessageSinkStandardTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int RECEIVE = 10;

    private final HandlerSlots slots = new HandlerSlots(RECEIVE, 0);
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private final List<List<String>> released = new CopyOnWriteArrayList<>();
    private final List<ExecutorService> pools = new CopyOnWriteArrayList<>();

    @BeforeEach
    void takeTheReceivesSlots() throws InterruptedException {
        assertThat(slots.acquire(true, 1, TimeUnit.SECONDS)).isEqualTo(RECEIVE);
    }

    @AfterEach
    void shutDown() throws InterruptedException {
        for (ExecutorService pool : pools) {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aWorkerTakesTheNextWaitingMessageInsteadOfHandingItToAnotherThread() {
        // one thread: while it works, a task submitted for the waiting messages cannot start, so the worker that
        // runs takes them itself; the old sink submitted one task per message (10 here)
        AtomicInteger tasks = new AtomicInteger();
        ExecutorService one = pool(1);
        Executor counting = task -> {
            tasks.incrementAndGet();
            one.execute(task);
        };

        sink(counting, message -> {
            handled.add(message.messageId());
            return CompletableFuture.completedFuture(Disposition.HANDLED);
        }).accept(receive());

        await().atMost(WAIT).until(() -> handled.size() == RECEIVE && slots.inFlight() == 0);
        assertThat(handled).containsExactlyInAnyOrderElementsOf(ids());
        assertThat(tasks.get()).as("tasks submitted for %d messages", RECEIVE).isLessThanOrEqualTo(2);
        assertThat(released).isEmpty();
    }

    @Test
    void aHandlerThatBlocksDoesNotHoldBackTheMessagesBehindIt() throws InterruptedException {
        CountDownLatch unblock = new CountDownLatch(1);
        CountDownLatch othersStarted = new CountDownLatch(RECEIVE - 1);
        sink(pool(RECEIVE), message -> {
            handled.add(message.messageId());
            if (message.messageId().equals("m0")) {
                try {
                    // the first message blocks its thread until every other message has started elsewhere
                    assertThat(othersStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                    unblock.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                othersStarted.countDown();
            }
            return CompletableFuture.completedFuture(Disposition.HANDLED);
        }).accept(receive());

        assertThat(othersStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                .as("the nine messages behind a blocked handler started").isTrue();
        // the nine complete at once: only the blocked message then holds its slot
        await().atMost(WAIT).until(() -> slots.inFlight() == 1);
        assertThat(handled).hasSize(RECEIVE);
        unblock.countDown();
        await().atMost(WAIT).until(() -> slots.inFlight() == 0);
        assertThat(handled).containsExactlyInAnyOrderElementsOf(ids());
    }

    @Test
    void anExecutorThatRefusesReleasesTheWaitingMessagesAndTheirSlotsAtOnce() {
        Executor refusing = task -> {
            throw new RejectedExecutionException("shutting down");
        };

        sink(refusing, message -> {
            handled.add(message.messageId());
            return CompletableFuture.completedFuture(Disposition.HANDLED);
        }).accept(receive());

        assertThat(handled).as("nothing handled").isEmpty();
        assertThat(released.stream().flatMap(List::stream)).containsExactlyInAnyOrderElementsOf(ids());
        assertThat(slots.inFlight()).isZero();
    }

    @Test
    void aHandlerStageStillPendingKeepsItsSlotUntilItCompletes() {
        List<CompletableFuture<Disposition>> pending = new CopyOnWriteArrayList<>();
        sink(pool(2), message -> {
            CompletableFuture<Disposition> future = new CompletableFuture<>();
            pending.add(future);
            return future;
        }).accept(receive());

        await().atMost(WAIT).until(() -> pending.size() == RECEIVE);
        assertThat(slots.inFlight()).isEqualTo(RECEIVE);
        pending.forEach(f -> f.complete(Disposition.HANDLED));
        assertThat(slots.inFlight()).isZero();
    }

    @Test
    void atMostTheHandlersRunAtOnceAndTheRestWaitForAFreeOne() throws InterruptedException {
        HandlerSlots twoHandlers = new HandlerSlots(2, RECEIVE - 2);
        List<CompletableFuture<Disposition>> started = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostRunning = new AtomicInteger();
        Function<Received, CompletionStage<Disposition>> handling = message -> {
            mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            CompletableFuture<Disposition> future = new CompletableFuture<>();
            started.add(future);
            return future.whenComplete((v, e) -> running.decrementAndGet());
        };
        MessageSink sink = new MessageSink(false, pool(RECEIVE), twoHandlers, handling,
                messages -> released.add(messages.stream().map(Received::messageId).toList()), messages -> { }, () -> false);
        assertThat(twoHandlers.acquire(true, 1, TimeUnit.SECONDS)).as("a receive's worth of slots").isEqualTo(RECEIVE);

        sink.accept(receive());

        await().atMost(WAIT).until(() -> started.size() == 2);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> started.size() == 2);
        for (int i = 0; i < RECEIVE; i++) {
            int next = i;
            await().atMost(WAIT).until(() -> started.size() > next);
            started.get(next).complete(Disposition.HANDLED);
        }

        await().atMost(WAIT).until(() -> twoHandlers.inFlight() == 0);
        assertThat(started).hasSize(RECEIVE);
        assertThat(mostRunning).as("handlers running at once").hasValue(2);
        assertThat(released).isEmpty();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private MessageSink sink(Executor on, Function<Received, CompletionStage<Disposition>> handling) {
        return new MessageSink(false, on, slots, handling,
                messages -> released.add(messages.stream().map(Received::messageId).toList()), messages -> { }, () -> false);
    }

    private ExecutorService pool(int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        pools.add(pool);
        return pool;
    }

    private static List<String> ids() {
        return IntStream.range(0, RECEIVE).mapToObj(i -> "m" + i).toList();
    }

    private static List<Received> receive() {
        return ids().stream().map(id -> Received.of(FakeSqsClient.message(id, null, 1), System.nanoTime())).toList();
    }
}
