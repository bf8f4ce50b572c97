package io.sourceflow.aws.inbound;

import io.sourceflow.aws.inbound.InboundOutcome.Disposition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The FIFO side of {@link MessageSink}: one receive carrying groups A (a1, a2, a3) and B (b1, b2). Proves that each
 * group runs strictly in order while the groups run in parallel; that a message staying on the queue (RETRY) or the
 * listener stopping releases the rest of its group untouched through the release callback; that an executor refusing
 * the work releases the messages at once; and that every message, handled or released, gives its slot back.
 */
class MessageSinkFifoTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Map<String, List<String>> startedByGroup = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Disposition>> futures = new ConcurrentHashMap<>();
    private final List<List<String>> released = new CopyOnWriteArrayList<>();
    private final List<String> protectedOnReceive = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final HandlerSlots slots = new HandlerSlots(5, 0);
    private final List<Received> receive = List.of(
            fifo("a1", "A"), fifo("b1", "B"), fifo("a2", "A"), fifo("b2", "B"), fifo("a3", "A"));

    @BeforeEach
    void takeTheReceivesSlots() throws InterruptedException {
        // as the receive loop does: one slot per message received
        assertThat(slots.acquire(true, 1, TimeUnit.SECONDS)).isEqualTo(5);
    }

    @AfterEach
    void shutDown() throws InterruptedException {
        futures.values().forEach(f -> f.complete(Disposition.HANDLED));
        executor.shutdownNow();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void eachGroupRunsInOrderAndTheGroupsRunInParallel() {
        sink(executor).accept(receive);
        assertThat(protectedOnReceive).as("every message is protected (heartbeated) from its receive, waiting or not")
                .containsExactly("a1", "b1", "a2", "b2", "a3");

        await().atMost(WAIT).until(() -> started("A").contains("a1") && started("B").contains("b1"));
        // b1 started while a1 is still running: the groups overlap; a2 waits for a1
        assertThat(futures.get("a1")).isNotDone();
        assertThat(started("A")).containsExactly("a1");
        assertThat(started("B")).containsExactly("b1");

        finish("a1", Disposition.HANDLED);
        await().atMost(WAIT).until(() -> futures.containsKey("a2"));
        assertThat(started("B")).as("b2 still waits for b1").containsExactly("b1");
        finish("b1", Disposition.HANDLED);
        finish("a2", Disposition.HANDLED);
        finish("b2", Disposition.HANDLED);
        finish("a3", Disposition.HANDLED);

        assertThat(started("A")).containsExactly("a1", "a2", "a3");
        assertThat(started("B")).containsExactly("b1", "b2");
        assertThat(released).isEmpty();
        assertThat(slots.inFlight()).isZero();
    }

    @Test
    void aRetryReleasesTheRestOfItsGroupWhichIsNeverHandled() {
        sink(executor).accept(receive);

        finish("a1", Disposition.HANDLED);
        finish("b1", Disposition.HANDLED);
        finish("a2", Disposition.RETRY);
        finish("b2", Disposition.HANDLED);

        assertThat(released).containsExactly(List.of("a3"));
        assertThat(started("A")).containsExactly("a1", "a2");
        assertThat(started("B")).as("the other group is not affected").containsExactly("b1", "b2");
        assertThat(slots.inFlight()).as("slots held after all messages were handled or released").isZero();
    }

    @Test
    void aMessageHeldElsewhereAlsoReleasesTheRestOfItsGroup() {
        sink(executor).accept(receive);

        finish("a1", Disposition.HELD_ELSEWHERE);
        finish("b1", Disposition.HANDLED);
        finish("b2", Disposition.HANDLED);

        assertThat(released).containsExactly(List.of("a2", "a3"));
        assertThat(started("A")).containsExactly("a1");
        assertThat(slots.inFlight()).isZero();
    }

    @Test
    void stoppingReleasesTheRestOfEachGroup() {
        sink(executor).accept(receive);
        await().atMost(WAIT).until(() -> futures.containsKey("a1") && futures.containsKey("b1"));

        stopping.set(true);
        finish("a1", Disposition.HANDLED);
        finish("b1", Disposition.HANDLED);

        assertThat(released).containsExactlyInAnyOrder(List.of("a2", "a3"), List.of("b2"));
        assertThat(started("A")).containsExactly("a1");
        assertThat(started("B")).containsExactly("b1");
        assertThat(slots.inFlight()).isZero();
    }

    @Test
    void anExecutorThatRejectsReleasesTheMessagesAndTheirSlotsAtOnce() throws InterruptedException {
        ExecutorService shutDown = Executors.newSingleThreadExecutor();
        shutDown.shutdown();
        assertThat(shutDown.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        sink(shutDown).accept(receive);

        assertThat(released).containsExactlyInAnyOrder(List.of("a1", "a2", "a3"), List.of("b1", "b2"));
        assertThat(startedByGroup).as("nothing handled").isEmpty();
        assertThat(slots.inFlight()).isZero();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private MessageSink sink(Executor on) {
        return new MessageSink(true, on, slots, this::handle,
                messages -> released.add(messages.stream().map(Received::messageId).toList()),
                messages -> protectedOnReceive.addAll(messages.stream().map(Received::messageId).toList()), stopping::get);
    }

    private CompletionStage<Disposition> handle(Received message) {
        CompletableFuture<Disposition> future = new CompletableFuture<>();
        startedByGroup.computeIfAbsent(message.groupId(), g -> new CopyOnWriteArrayList<>()).add(message.messageId());
        futures.put(message.messageId(), future);
        return future;
    }

    /** Waits for the message's handler to start, then completes it (the group's next message starts on this thread). */
    private void finish(String messageId, Disposition disposition) {
        await().atMost(WAIT).until(() -> futures.containsKey(messageId));
        assertThat(futures.get(messageId).complete(disposition)).as(messageId + " completed once").isTrue();
    }

    private List<String> started(String group) {
        return startedByGroup.getOrDefault(group, List.of());
    }

    private static Received fifo(String id, String group) {
        return Received.of(FakeSqsClient.message(id, group, 1), System.nanoTime());
    }
}
