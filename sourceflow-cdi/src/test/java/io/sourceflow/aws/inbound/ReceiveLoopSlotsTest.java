package io.sourceflow.aws.inbound;

import io.sourceflow.aws.inbound.FakeSqsClient.Op;
import io.sourceflow.aws.inbound.FakeSqsClient.ReceiveCall;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The receive path's back-pressure, driven end to end through a real {@link ReceiveLoop}, {@link HandlerSlots} and
 * standard-queue {@link MessageSink} against a {@link FakeSqsClient}: handlers complete only when the test says, so
 * messages stay in flight. Proves that no more messages are in flight than there are slots and no receive asks for
 * more than the free slots, that finishing a message frees its slot, that a backlog is received in full receives of
 * 10 by one poller per 10 slots, that a backlog is received ahead of busy handlers (the default 10 handlers: 30
 * waiting, four pollers) while no more handlers run than there are, that a paused loop makes no receive until
 * resumed, and that a failing receive backs off without killing the loop (and gives its slots back).
 */
class ReceiveLoopSlotsTest {

    private static final String QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders";
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A message whose handler has started and whose completion the test controls. */
    private record Pending(Received message, CompletableFuture<InboundOutcome.Disposition> future) {
    }

    private final FakeSqsClient sqs = new FakeSqsClient();
    private final ExecutorService handlerPool = Executors.newFixedThreadPool(4);
    private final List<Thread> pollerThreads = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    private final List<String> started = new CopyOnWriteArrayList<>();
    private final List<List<Received>> released = new CopyOnWriteArrayList<>();
    private final List<String> slotViolations = new CopyOnWriteArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    private HandlerSlots slots;
    private ReceiveLoop loop;

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (loop != null) {
            loop.requestStop();
            loop.awaitExit();
        }
        for (Thread poller : pollerThreads) {
            poller.join(TimeUnit.SECONDS.toMillis(10));
        }
        Pending left;
        while ((left = pending.poll()) != null) {
            left.future().complete(InboundOutcome.Disposition.HANDLED);
        }
        handlerPool.shutdownNow();
        assertThat(handlerPool.awaitTermination(10, TimeUnit.SECONDS)).as("handler pool terminated").isTrue();
        assertThat(pollerThreads).as("pollers exited").noneMatch(Thread::isAlive);
    }

    @Test
    void inFlightNeverExceedsCapacityAndNoReceiveAsksForMoreThanTheFreeSlots() throws InterruptedException {
        sqs.enqueue(messages(30));
        start(4);

        await().atMost(WAIT).until(() -> pending.size() == 4);
        completeAll(30);

        assertThat(maxRunning).as("most handlers running at once").hasValue(4);
        assertThat(slotViolations).as("receives asking for more than the free slots").isEmpty();
        assertThat(sqs.receives()).extracting(c -> c.request().maxNumberOfMessages()).allSatisfy(n -> assertThat(n).isBetween(1, 4));
        assertThat(started).hasSize(30).doesNotHaveDuplicates();
        assertThat(sqs.queued()).isZero();
    }

    @Test
    void finishingAMessageFreesItsSlotAndLaterReceivesPickUpMore() throws InterruptedException {
        sqs.enqueue(messages(30));
        start(4);

        await().atMost(WAIT).until(() -> pending.size() == 4);
        assertThat(slots.inFlight()).isEqualTo(4);
        completeNext();
        // the poller waits for a full receive's worth (4) while the queue has a backlog, so this stays 3
        assertThat(slots.inFlight()).as("slots in use after one message finished").isEqualTo(3);

        completeAll(29);

        assertThat(started).hasSize(30).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 30).mapToObj(i -> "m" + i).toList());
        assertThat(sqs.receives().stream().filter(c -> c.returned() > 0).toList()).as("receives that delivered messages")
                .hasSizeGreaterThanOrEqualTo(8); // 30 messages, at most 4 per receive
        assertThat(slotViolations).isEmpty();
        loop.pause();
        assertThat(loop.awaitNoReceive(System.nanoTime() + WAIT.toNanos())).isTrue();
        await().atMost(WAIT).untilAsserted(() -> assertThat(slots.inFlight()).as("slots in use when all are done").isZero());
        assertThat(released).as("messages released untouched").isEmpty();
    }

    @Test
    void aBacklogIsReceivedInFullReceivesOfTenByTwoPollers() throws InterruptedException {
        sqs.enqueue(messages(60));
        start(20);

        assertThat(pollerThreads).as("one poller per full 10 slots").hasSize(2);
        await().atMost(WAIT).until(() -> pending.size() == 20);
        completeAll(60);

        List<ReceiveCall> delivering = sqs.receives().stream().filter(c -> c.returned() > 0).toList();
        assertThat(delivering).as("receives that delivered messages")
                .allSatisfy(c -> assertThat(c.request().maxNumberOfMessages()).as("asked for").isEqualTo(10));
        assertThat(delivering.stream().mapToInt(ReceiveCall::returned).sum()).isEqualTo(60);
        assertThat(delivering.size()).as("receives that delivered messages").isBetween(6, 7);
        assertThat(maxRunning).as("most handlers running at once").hasValue(20);
        assertThat(slotViolations).isEmpty();
    }

    @Test
    void aBacklogIsReceivedAheadOfBusyHandlersWhichNeverExceedTheirNumber() throws InterruptedException {
        // the library's default: 10 handlers, 30 waiting: four pollers keep receiving while the handlers run
        sqs.enqueue(messages(100));
        start(10, 30);

        assertThat(pollerThreads).as("one poller per full 10 slots, waiting room included").hasSize(4);
        await().atMost(WAIT).until(() -> sqs.delivered() == 40);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> sqs.delivered() == 40 && pending.size() == 10);
        assertThat(running).as("handlers running while 30 more wait").hasValue(10);
        completeAll(100);

        assertThat(maxRunning).as("most handlers running at once").hasValue(10);
        assertThat(started).hasSize(100).doesNotHaveDuplicates();
        assertThat(slotViolations).as("receives asking for more than the free slots").isEmpty();
        assertThat(sqs.receives().stream().filter(c -> c.returned() > 0).toList()).as("receives that delivered messages")
                .allSatisfy(c -> assertThat(c.request().maxNumberOfMessages()).as("asked for").isEqualTo(10));
    }

    @Test
    void aPausedLoopMakesNoReceiveUntilResumed() throws InterruptedException {
        sqs.enqueue(messages(30));
        start(4);
        await().atMost(WAIT).until(() -> pending.size() == 4);

        loop.pause();
        assertThat(loop.isPaused()).isTrue();
        assertThat(loop.awaitNoReceive(System.nanoTime() + WAIT.toNanos())).as("no receive in progress").isTrue();
        long receivesWhenPaused = receivesStarted();
        for (int i = 0; i < 4; i++) {
            completeNext();
        }
        // every slot is free now, yet nothing may be received while paused
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> receivesStarted() == receivesWhenPaused && started.size() == 4);
        assertThat(sqs.queued()).isEqualTo(26);

        loop.resume();
        completeAll(26);

        assertThat(receivesStarted()).as("receive calls").isGreaterThan(receivesWhenPaused);
        assertThat(started).hasSize(30).doesNotHaveDuplicates();
        assertThat(slotViolations).isEmpty();
    }

    @Test
    void aFailingReceiveBacksOffAndTheLoopSurvives() throws InterruptedException {
        sqs.failNext(Op.RECEIVE, 2);
        sqs.enqueue(messages(3));
        start(4);

        completeAll(3);

        List<ReceiveCall> receives = sqs.receives();
        assertThat(receives.get(0).failed()).isTrue();
        assertThat(receives.get(1).failed()).isTrue();
        assertThat(receives.subList(2, receives.size())).as("receives after the failures")
                .anySatisfy(c -> assertThat(c.returned()).isPositive()).noneMatch(ReceiveCall::failed);
        assertThat(loop.isAlive()).isTrue();
        assertThat(started).containsExactlyInAnyOrder("m0", "m1", "m2");
        loop.pause();
        assertThat(loop.awaitNoReceive(System.nanoTime() + WAIT.toNanos())).isTrue();
        await().atMost(WAIT).untilAsserted(() -> assertThat(slots.inFlight())
                .as("slots in use when all are done (the failed receives gave theirs back)").isZero());
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private void start(int capacity) {
        start(capacity, 0);
    }

    private void start(int handlers, int receiveAhead) {
        int capacity = handlers + receiveAhead;
        slots = new HandlerSlots(handlers, receiveAhead);
        sqs.beforeEachCall(Op.RECEIVE, request -> {
            int asked = ((ReceiveMessageRequest) request).maxNumberOfMessages();
            // messages delivered and not yet finished hold their slots; a receive may ask only for the rest
            int held = sqs.delivered() - completed.get();
            if (held + asked > capacity) {
                slotViolations.add("asked for " + asked + " with " + held + " of " + capacity + " slots held");
            }
        });
        MessageSink sink = new MessageSink(false, handlerPool, slots, this::handle, released::add, received -> { }, () -> false);
        loop = new ReceiveLoop("orders", QUEUE_URL, sqs, slots, sink, r -> {
            Thread thread = new Thread(r);
            thread.setDaemon(true);
            pollerThreads.add(thread);
            return thread;
        }, Duration.ofSeconds(1), Duration.ZERO);
        loop.start();
    }

    private CompletionStage<InboundOutcome.Disposition> handle(Received message) {
        CompletableFuture<InboundOutcome.Disposition> future = new CompletableFuture<>();
        started.add(message.messageId());
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        pending.add(new Pending(message, future));
        return future;
    }

    /** Finishes the oldest running handler (waiting for one to start). */
    private void completeNext() throws InterruptedException {
        Pending next = pending.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(next).as("a handler started within " + WAIT).isNotNull();
        // counted before the slot is freed, so the slot check in the fake can only under-count what is held
        completed.incrementAndGet();
        running.decrementAndGet();
        next.future().complete(InboundOutcome.Disposition.HANDLED);
    }

    /** Finishes handlers one at a time, oldest first, as they start, until {@code count} more have finished. */
    private void completeAll(int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            completeNext();
        }
    }

    private static List<Message> messages(int count) {
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            messages.add(FakeSqsClient.message("m" + i));
        }
        return messages;
    }

    private long receivesStarted() {
        return sqs.operations().stream().filter(op -> op == Op.RECEIVE).count();
    }
}
