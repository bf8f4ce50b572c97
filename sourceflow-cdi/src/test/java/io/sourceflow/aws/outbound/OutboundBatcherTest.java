package io.sourceflow.aws.outbound;

import io.sourceflow.aws.OutboundMessage;
import io.sourceflow.aws.SendFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link OutboundBatcher} against a fake {@link BatchSender} and real executors: full batches (10 entries) leave at
 * once and a partial batch after the linger; the sender's byte limit splits batches; at most four batches are in
 * flight, and on a FIFO destination a batch carries one message per group and a group's next message waits for the one
 * before; entries rejected retryably are sent again (a FIFO one ahead of its group), others fail alone; a throwing
 * sender fails only its own batch; a rejecting executor fails the batch with a {@link SendFailedException} saying the application is stopping; a zero
 * linger (or a shut-down scheduler) sends at once.
 */
class OutboundBatcherTest {

    private static final Duration LONG_LINGER = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private ExecutorService executor;
    private ExecutorService singleThread;
    private ScheduledThreadPoolExecutor scheduler;
    private final List<FakeSender> senders = new ArrayList<>();

    @BeforeEach
    void startExecutors() {
        executor = Executors.newFixedThreadPool(8);
        singleThread = Executors.newSingleThreadExecutor();
        scheduler = new ScheduledThreadPoolExecutor(1);
    }

    @AfterEach
    void stopExecutors() throws InterruptedException {
        senders.forEach(FakeSender::release);
        executor.shutdownNow();
        singleThread.shutdownNow();
        scheduler.shutdownNow();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(singleThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    // ------------------------------------------------------------------ batch size and linger

    @Test
    void twentyFiveMessagesLeaveAsTwoFullBatchesAtOnceThenFiveAfterTheLinger() {
        Duration linger = Duration.ofSeconds(2);
        FakeSender sender = sender(262_144);
        // held sends: no completion can start the partial batch early (see the disabled test below)
        sender.block();
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, linger, false);
        long start = System.nanoTime();
        List<OutboundMessage> messages = submit(batcher, 25, 100);

        await().atMost(WAIT).until(() -> sender.batches.size() >= 2);
        long fullBatchesSeen = System.nanoTime() - start;
        await().atMost(WAIT).until(() -> sender.batches.size() == 3);
        sender.release();
        await().atMost(WAIT).until(() -> allDone(messages));

        // the two full batches run concurrently, so either may reach the sender first
        assertThat(sender.batches.subList(0, 2)).extracting(Sent::ids).containsExactlyInAnyOrder(ids(0, 10), ids(10, 20));
        assertThat(fullBatchesSeen).as("the full batches did not wait for the linger").isLessThan(linger.toNanos());
        assertThat(sender.batches.get(2).ids()).containsExactlyElementsOf(ids(20, 25));
        assertThat(sender.batches.get(2).atNanos - start).as("the partial batch waited for the linger")
                .isGreaterThanOrEqualTo(linger.toNanos() - TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(messages).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
    }

    @Test
    void batchesOfOneSenderThreadLeaveInOrderTenTenFive() {
        FakeSender sender = sender(262_144);
        sender.block(); // released once all 25 are submitted, so no completion cuts a batch mid-way
        // one sending thread: the batches reach the sender in the order the batcher starts them
        OutboundBatcher batcher = new OutboundBatcher(sender, singleThread, scheduler, Duration.ofMillis(500), false);
        List<OutboundMessage> messages = submit(batcher, 25, 100);
        sender.release();

        await().atMost(WAIT).until(() -> allDone(messages));
        assertThat(sender.batches).extracting(Sent::ids).containsExactly(ids(0, 10), ids(10, 20), ids(20, 25));
        assertThat(messages).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
    }

    /**
     * A batch that built up behind one in flight leaves when that one returns, without waiting out its own linger: its
     * messages have already waited a round trip (the documented rule of OutboundBatcher).
     */
    @Test
    void aPartialBatchThatBuiltUpBehindASendLeavesWhenThatSendReturns() {
        FakeSender sender = sender(262_144);
        sender.block(); // the full first batch stays in flight until the other five are pending behind it
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, LONG_LINGER, false);
        List<OutboundMessage> messages = submit(batcher, 15, 100);
        sender.release();

        await().atMost(WAIT).until(() -> allDone(messages));
        assertThat(sender.batches).extracting(Sent::size).containsExactly(10, 5);
        assertThat(sender.batches.get(1).atNanos - sender.batches.get(0).atNanos)
                .as("long before the 30 s linger").isLessThan(TimeUnit.SECONDS.toNanos(15));
    }

    @Test
    void aSingleMessageLeavesAloneAfterTheLinger() {
        Duration linger = Duration.ofSeconds(1);
        FakeSender sender = sender(262_144);
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, linger, false);
        long start = System.nanoTime();
        OutboundMessage message = message("m-0", Optional.empty(), 100);
        batcher.submit(message);
        assertThat(message.accepted()).as("not sent before the linger").isNotDone();

        await().atMost(WAIT).until(() -> message.accepted().isDone());
        assertThat(message.accepted()).isCompleted();
        assertThat(sender.batches).extracting(Sent::ids).containsExactly(List.of("m-0"));
        assertThat(sender.batches.get(0).atNanos - start).isGreaterThanOrEqualTo(linger.toNanos() - TimeUnit.MILLISECONDS.toNanos(20));
    }

    @Test
    void lingerZeroSendsEachMessageAtOnce() {
        FakeSender sender = sender(262_144);
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, Duration.ZERO, false);
        List<OutboundMessage> messages = submit(batcher, 3, 100);

        await().atMost(WAIT).until(() -> allDone(messages));
        assertThat(messages).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
        assertThat(sender.batches).extracting(Sent::size).containsExactly(1, 1, 1);
        assertThat(scheduler.getTaskCount()).as("no linger timer is ever scheduled").isZero();
    }

    @Test
    void aShutDownSchedulerSendsAtOnceInsteadOfStrandingTheMessage() {
        scheduler.shutdown();
        FakeSender sender = sender(262_144);
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, LONG_LINGER, false);
        OutboundMessage message = message("m-0", Optional.empty(), 100);
        batcher.submit(message);

        await().atMost(Duration.ofSeconds(5)).until(() -> message.accepted().isDone());
        assertThat(message.accepted()).isCompleted();
        assertThat(sender.batches).extracting(Sent::ids).containsExactly(List.of("m-0"));
    }

    // ------------------------------------------------------------------ byte limit

    @Test
    void theByteLimitSplitsBatches() {
        FakeSender sender = sender(1000);
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, LONG_LINGER, false);
        List<OutboundMessage> messages = submit(batcher, 10, 400);

        await().atMost(WAIT).until(() -> allDone(messages));
        assertThat(sender.batches).hasSize(5).allSatisfy(b -> assertThat(b.size()).isEqualTo(2));
        assertThat(sender.batches).allSatisfy(b -> assertThat(b.bytes()).isLessThanOrEqualTo(1000));
        assertThat(sender.batches.stream().flatMap(b -> b.ids().stream()))
                .containsExactlyInAnyOrderElementsOf(ids(0, 10));
        assertThat(messages).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
    }

    @Test
    void aBatchMayFillTheByteLimitExactlyAndAnOversizedMessageGoesAlone() {
        FakeSender sender = sender(1000);
        // one sending thread: the batches arrive in the order they were cut
        OutboundBatcher batcher = new OutboundBatcher(sender, singleThread, scheduler, Duration.ofSeconds(1), false);
        List<OutboundMessage> messages = List.of(
                message("a", Optional.empty(), 500), message("b", Optional.empty(), 500),
                message("big", Optional.empty(), 1500),
                message("c", Optional.empty(), 300));
        messages.forEach(batcher::submit);

        await().atMost(WAIT).until(() -> allDone(messages));
        assertThat(sender.batches).extracting(Sent::ids)
                .containsExactly(List.of("a", "b"), List.of("big"), List.of("c"));
        assertThat(messages).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
    }

    // ------------------------------------------------------------------ in-flight limits

    /**
     * Issue 13, item 14: a FIFO batch carries one message per group, and a group's next message waits until the one
     * before was settled, so no later message of a group can be accepted ahead of an earlier one the service rejected.
     */
    @Test
    void aFifoBatchCarriesOneMessagePerGroupAndAGroupWaitsForItsPreviousMessage() {
        FakeSender sender = sender(262_144);
        sender.block();
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, Duration.ofMillis(200), true);
        List<OutboundMessage> messages = submitFifo(batcher, 30, 3);

        await().atMost(WAIT).until(() -> sender.batches.size() == 1);
        // bounded wait to show absence: every group has its message in flight, so no second batch starts
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> sender.batches.size() == 1);
        assertThat(sender.batches.get(0).ids()).containsExactlyElementsOf(ids(0, 3));

        sender.release();
        await().atMost(WAIT).until(() -> allDone(messages));
        assertThat(sender.peakInFlight.get()).isEqualTo(1);
        assertThat(sender.batches).hasSize(10).allSatisfy(b -> assertThat(b.messages)
                .extracting(m -> m.groupId().orElseThrow()).containsExactlyInAnyOrder("g-0", "g-1", "g-2"));
        for (int g = 0; g < 3; g++) {
            String group = "g-" + g;
            List<String> groupOrder = sender.batches.stream().flatMap(b -> b.messages.stream())
                    .filter(m -> m.groupId().orElseThrow().equals(group)).map(OutboundMessage::messageId).toList();
            assertThat(groupOrder).as(group).isSortedAccordingTo(String::compareTo).hasSize(10);
        }
        assertThat(messages).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
    }

    @Test
    void fifoBatchesOfDisjointGroupsAreInFlightTogetherUpToFour() {
        FakeSender sender = sender(262_144);
        sender.block();
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, LONG_LINGER, true);
        List<OutboundMessage> messages = submitFifo(batcher, 60, 60);

        await().atMost(WAIT).until(() -> sender.inFlight.get() == 4);
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                .until(() -> sender.batches.size() == 4 && sender.inFlight.get() == 4);

        sender.release();
        await().atMost(WAIT).until(() -> allDone(messages));
        assertThat(sender.peakInFlight.get()).isEqualTo(4);
        assertThat(sender.batches).hasSize(6).allSatisfy(b -> assertThat(b.size()).isEqualTo(10));
        assertThat(messages).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
    }

    @Test
    void standardHasAtMostFourBatchesInFlight() {
        FakeSender sender = sender(262_144);
        sender.block();
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, LONG_LINGER, false);
        List<OutboundMessage> messages = submit(batcher, 60, 100);

        await().atMost(WAIT).until(() -> sender.inFlight.get() == 4);
        // bounded wait to show absence: the executor has idle threads, yet no fifth batch starts
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                .until(() -> sender.batches.size() == 4 && sender.inFlight.get() == 4);

        sender.release();
        await().atMost(WAIT).until(() -> allDone(messages));
        assertThat(sender.peakInFlight.get()).isEqualTo(4);
        assertThat(sender.batches).hasSize(6).allSatisfy(b -> assertThat(b.size()).isEqualTo(10));
        assertThat(sender.batches.stream().flatMap(b -> b.ids().stream()))
                .containsExactlyInAnyOrderElementsOf(ids(0, 60));
        assertThat(messages).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
    }

    // ------------------------------------------------------------------ failures

    @Test
    void aThrowingSenderFailsItsWholeBatchAndLaterBatchesStillGo() {
        FakeSender sender = sender(262_144);
        RuntimeException boom = new IllegalStateException("connection reset");
        sender.throwFor(Set.of(id(0)), boom);
        // FIFO: a batch whose send threw must free its groups
        OutboundBatcher batcher = new OutboundBatcher(sender, singleThread, scheduler, LONG_LINGER, true);
        List<OutboundMessage> messages = submitFifo(batcher, 20, 10);

        await().atMost(WAIT).until(() -> allDone(messages));
        assertThat(sender.batches).extracting(Sent::ids).containsExactly(ids(0, 10), ids(10, 20));
        assertThat(messages.subList(0, 10)).allSatisfy(m -> assertThat(m.accepted())
                .isCompletedExceptionally()
                .failsWithin(Duration.ZERO).withThrowableThat().havingCause().isSameAs(boom));
        assertThat(messages.subList(10, 20)).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
    }

    @Test
    void entriesRejectedForGoodFailAlone() {
        FakeSender sender = sender(262_144);
        sender.reject(id(1), Integer.MAX_VALUE, new BatchSender.EntryError("InvalidParameterValue", "bad attribute", true));
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, LONG_LINGER, false);
        List<OutboundMessage> messages = submit(batcher, 10, 100);

        await().atMost(WAIT).until(() -> allDone(messages));
        assertThat(messages.get(1).accepted()).failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isInstanceOf(SendFailedException.class)
                .withMessageContaining("InvalidParameterValue").withMessageContaining(id(1));
        assertThat(messages).filteredOn(m -> !m.messageId().equals(id(1)))
                .hasSize(9).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
        assertThat(sender.batches).as("not sent again").hasSize(1);
    }

    /** Issue 13, item 14: an entry rejected retryably inside a successful batch response was failed at once. */
    @Test
    void anEntryRejectedRetryablyIsSentAgainUntilAccepted() {
        FakeSender sender = sender(262_144);
        sender.reject(id(1), 2, new BatchSender.EntryError("InternalError", "try again", false));
        sender.reject(id(2), 1, new BatchSender.EntryError("RequestThrottled", "slow down", true));
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, LONG_LINGER, false);
        List<OutboundMessage> messages = submit(batcher, 10, 100);

        await().atMost(WAIT).until(() -> allDone(messages));
        assertThat(messages).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
        assertThat(sender.attempts(id(1))).isEqualTo(3);
        assertThat(sender.attempts(id(2))).isEqualTo(2);
        assertThat(sender.attempts(id(3))).isEqualTo(1);
    }

    @Test
    void anEntryThatIsStillRejectedAfterItsRetriesFailsNamingTheError() {
        FakeSender sender = sender(262_144);
        sender.reject(id(0), Integer.MAX_VALUE, new BatchSender.EntryError("InternalError", "try again", false));
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, Duration.ZERO, false);
        OutboundMessage message = message(id(0), Optional.empty(), 100);
        batcher.submit(message);

        await().atMost(WAIT).until(() -> message.accepted().isDone());
        assertThat(message.accepted()).failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isInstanceOf(SendFailedException.class)
                .withMessageContaining("Queue q did not accept").withMessageContaining(id(0))
                .withMessageContaining("4 attempts").withMessageContaining("InternalError");
        assertThat(sender.attempts(id(0))).isEqualTo(OutboundBatcher.RETRY_DELAYS_MILLIS.length + 1);
    }

    /**
     * Issue 13, item 14: the retried message of a group goes out before the group's later messages, which the
     * service sees only after it accepted the retried one.
     */
    @Test
    void aRetriedFifoMessageStaysAheadOfTheRestOfItsGroup() {
        FakeSender sender = sender(262_144);
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, Duration.ofMillis(100), true);
        sender.reject(id(0), 2, new BatchSender.EntryError("ServiceUnavailable", "busy", false));
        List<OutboundMessage> messages = submitFifo(batcher, 12, 4); // groups g-0..g-3, three messages each

        await().atMost(WAIT).until(() -> allDone(messages));
        assertThat(messages).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
        List<String> g0 = sender.batches.stream().flatMap(b -> b.messages.stream())
                .filter(m -> m.groupId().orElseThrow().equals("g-0")).map(OutboundMessage::messageId).toList();
        assertThat(g0).as("m-000 twice rejected, then accepted, before the rest of its group")
                .containsExactly(id(0), id(0), id(0), id(4), id(8));
        assertThat(sender.batches).allSatisfy(b -> assertThat(b.messages).extracting(m -> m.groupId().orElseThrow())
                .doesNotHaveDuplicates());
    }

    @Test
    void flushAtStopWaitsForAnEntryWaitingForItsRetry() {
        FakeSender sender = sender(262_144);
        sender.reject(id(0), 1, new BatchSender.EntryError("InternalError", "try again", false));
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, Duration.ZERO, true);
        List<OutboundMessage> messages = submitFifo(batcher, 1, 1);
        await().atMost(WAIT).until(() -> sender.attempts(id(0)) == 1);

        batcher.flush(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));

        assertThat(messages.get(0).accepted()).isCompleted();
        assertThat(sender.attempts(id(0))).isEqualTo(2);
    }

    @Test
    void aRejectingExecutorFailsTheBatchBecauseTheApplicationIsStopping() throws InterruptedException {
        singleThread.shutdown();
        assertThat(singleThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        FakeSender sender = sender(262_144);
        OutboundBatcher batcher = new OutboundBatcher(sender, singleThread, scheduler, Duration.ZERO, false);
        List<OutboundMessage> messages = submit(batcher, 12, 100);

        // the rejection is reported synchronously, on the submitting thread
        assertThat(messages).allSatisfy(m -> assertThat(m.accepted()).isCompletedExceptionally()
                .failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isInstanceOf(SendFailedException.class)
                .withMessageContaining(m.messageId())
                .withMessageContaining("the application is stopping")
                .withCauseInstanceOf(RejectedExecutionException.class));
        assertThat(sender.batches).isEmpty();
    }

    @Test
    void aRejectingExecutorFailsLingeringMessagesToo() {
        FakeSender sender = sender(262_144);
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, Duration.ofMillis(300), false);
        executor.shutdown();
        List<OutboundMessage> messages = submit(batcher, 3, 100);

        await().atMost(WAIT).until(() -> allDone(messages));
        assertThat(messages).allSatisfy(m -> assertThat(m.accepted()).failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isInstanceOf(SendFailedException.class)
                .withMessageContaining("the application is stopping"));
        assertThat(sender.batches).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    /** Issue 13, item 6: at stop, messages waiting for their linger were dropped with the timer, their futures never done. */
    @Test
    void flushAtStopSendsWhatWaitsForItsLingerAtOnce() {
        FakeSender sender = sender(262_144);
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, LONG_LINGER, true);
        List<OutboundMessage> messages = submitFifo(batcher, 3, 3);

        batcher.flush(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));

        assertThat(messages).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
        assertThat(sender.batches).extracting(Sent::ids).containsExactly(ids(0, 3));
        OutboundMessage late = message("late", Optional.of("g"), 100);
        batcher.submit(late);
        await().atMost(WAIT).until(() -> late.accepted().isDone());
        assertThat(late.accepted()).as("after the flush, a send leaves without waiting for a linger").isCompleted();
    }

    @Test
    void whatCannotBeSentBeforeTheFlushDeadlineFailsInsteadOfWaitingForever() {
        FakeSender sender = sender(262_144);
        sender.block();
        OutboundBatcher batcher = new OutboundBatcher(sender, executor, scheduler, LONG_LINGER, true);
        List<OutboundMessage> messages = submitFifo(batcher, 12, 12); // 10 in flight (held by the sender), 2 behind them

        batcher.flush(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300));

        assertThat(messages.subList(10, 12)).allSatisfy(m -> assertThat(m.accepted()).failsWithin(Duration.ZERO)
                .withThrowableThat().havingCause().isInstanceOf(SendFailedException.class)
                .withMessageContaining("the application stopped"));
        sender.release();
        await().atMost(WAIT).until(() -> allDone(messages.subList(0, 10)));
        assertThat(messages.subList(0, 10)).allSatisfy(m -> assertThat(m.accepted()).isCompleted());
    }

    private FakeSender sender(int maxBatchBytes) {
        FakeSender sender = new FakeSender(maxBatchBytes);
        senders.add(sender);
        return sender;
    }

    private static List<OutboundMessage> submit(OutboundBatcher batcher, int count, int size) {
        List<OutboundMessage> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            messages.add(message(id(i), Optional.empty(), size));
        }
        messages.forEach(batcher::submit);
        return messages;
    }

    /** {@code count} messages of 100 bytes to a FIFO destination, message i in group {@code "g-" + i % groups}. */
    private static List<OutboundMessage> submitFifo(OutboundBatcher batcher, int count, int groups) {
        List<OutboundMessage> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            messages.add(message(id(i), Optional.of("g-" + i % groups), 100));
        }
        messages.forEach(batcher::submit);
        return messages;
    }

    private static OutboundMessage message(String id, Optional<String> group, int size) {
        return new OutboundMessage(id, "Type", group, "{}", Map.of(), size, new CompletableFuture<>());
    }

    /** Zero-padded, so that string order is submit order. */
    private static String id(int i) {
        return String.format("m-%03d", i);
    }

    private static List<String> ids(int fromInclusive, int toExclusive) {
        return IntStream.range(fromInclusive, toExclusive).mapToObj(OutboundBatcherTest::id).collect(Collectors.toList());
    }

    private static boolean allDone(List<OutboundMessage> messages) {
        return messages.stream().allMatch(m -> m.accepted().isDone());
    }

    /** One batch the fake sender got, and when. */
    record Sent(List<OutboundMessage> messages, long atNanos) {
        List<String> ids() {
            return messages.stream().map(OutboundMessage::messageId).toList();
        }

        int size() {
            return messages.size();
        }

        int bytes() {
            return messages.stream().mapToInt(OutboundMessage::size).sum();
        }
    }

    /**
     * Records each batch, can hold every send until released, and settles the batch the way the real senders do
     * (optionally with rejected entries), or throws for batches containing chosen ids.
     */
    static final class FakeSender implements BatchSender {
        final List<Sent> batches = new CopyOnWriteArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger peakInFlight = new AtomicInteger();
        private final int maxBatchBytes;
        private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
        private volatile Set<String> throwFor = Set.of();
        private volatile RuntimeException failure;
        private final Map<String, Rejection> rejections = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

        record Rejection(AtomicInteger times, BatchSender.EntryError error) {
        }

        FakeSender(int maxBatchBytes) {
            this.maxBatchBytes = maxBatchBytes;
        }

        void block() {
            gate = new CompletableFuture<>();
        }

        void release() {
            gate.complete(null);
        }

        void throwFor(Set<String> ids, RuntimeException failure) {
            this.failure = failure;
            this.throwFor = ids;
        }

        /** The next {@code times} sends of this message are rejected with this entry error. */
        void reject(String messageId, int times, BatchSender.EntryError error) {
            rejections.put(messageId, new Rejection(new AtomicInteger(times), error));
        }

        int attempts(String messageId) {
            AtomicInteger count = attempts.get(messageId);
            return count == null ? 0 : count.get();
        }

        @Override
        public String destination() {
            return "queue q";
        }

        @Override
        public int maxBatchBytes() {
            return maxBatchBytes;
        }

        @Override
        public List<Retryable> send(List<OutboundMessage> batch) {
            int now = inFlight.incrementAndGet();
            peakInFlight.accumulateAndGet(now, Math::max);
            try {
                batches.add(new Sent(List.copyOf(batch), System.nanoTime()));
                try {
                    gate.get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("the test never released the sender", e);
                }
                if (batch.stream().anyMatch(m -> throwFor.contains(m.messageId()))) {
                    throw failure;
                }
                batch.forEach(m -> attempts.computeIfAbsent(m.messageId(), id -> new AtomicInteger()).incrementAndGet());
                Map<String, BatchSender.EntryError> errors = new java.util.HashMap<>();
                for (int i = 0; i < batch.size(); i++) {
                    Rejection rejection = rejections.get(batch.get(i).messageId());
                    if (rejection != null && rejection.times().getAndDecrement() > 0) {
                        errors.put(io.sourceflow.aws.BatchEntries.id(i), rejection.error());
                    }
                }
                return BatchSender.settle(batch, errors, destination());
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }
}
