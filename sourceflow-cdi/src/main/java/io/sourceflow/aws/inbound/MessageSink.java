package io.sourceflow.aws.inbound;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Hands a receive's messages to handler threads. On a standard queue the messages wait in a ready queue that worker
 * tasks drain: a worker that finishes a message takes the next one without a hand-off to another thread, and a worker
 * that takes a message while others still wait first starts one more worker, so a slow handler never holds back the
 * messages behind it (each gets a thread within a few task starts). On a FIFO queue one task per message group runs
 * the group's messages one at a time, in order; when a message of a group stays on the queue (it failed, or another
 * instance holds it), or the listener is stopping, the rest of its group from that receive is released untouched, so
 * order holds across the retry. Every message gives its slot back when it is done.
 */
final class MessageSink {

    private static final System.Logger LOG = System.getLogger(MessageSink.class.getName());

    private final boolean fifo;
    private final Executor executor;
    private final HandlerSlots slots;
    private final Function<Received, CompletionStage<InboundOutcome.Disposition>> handling;
    private final Consumer<List<Received>> release;
    private final Consumer<List<Received>> protect;
    private final BooleanSupplier stopping;
    /** Standard queue: received messages no worker has taken yet. */
    private final Queue<Received> ready = new ConcurrentLinkedQueue<>();
    /** Standard queue: a worker was submitted and has not taken its first message yet (at most one at a time). */
    private final AtomicBoolean workerStarting = new AtomicBoolean();

    /**
     * @param handling processes and settles one message; its stage never fails
     * @param release  makes messages that will not be handled now visible again
     * @param protect  starts keeping just-received messages invisible (the heartbeat), before any waits for its turn
     * @param stopping whether the listener is stopping (a group then starts no further message)
     */
    MessageSink(boolean fifo, Executor executor, HandlerSlots slots,
                Function<Received, CompletionStage<InboundOutcome.Disposition>> handling,
                Consumer<List<Received>> release, Consumer<List<Received>> protect, BooleanSupplier stopping) {
        this.fifo = fifo;
        this.executor = executor;
        this.slots = slots;
        this.handling = handling;
        this.release = release;
        this.protect = protect;
        this.stopping = stopping;
    }

    /** Takes the messages of one receive; each holds one slot until it is done. */
    void accept(List<Received> messages) {
        try {
            protect.accept(messages);
        } catch (Throwable e) { // no heartbeat (stopping): the messages are still handled, within their visibility
            LOG.log(System.Logger.Level.DEBUG, "Could not start the heartbeat of " + messages.size() + " message(s)", e);
        }
        if (stopping.getAsBoolean()) { // a receive that returned while stopping: its messages go back now, not later
            release.accept(messages);
            slots.release(messages.size());
            return;
        }
        if (fifo) {
            Map<String, List<Received>> groups = new LinkedHashMap<>();
            for (Received message : messages) {
                groups.computeIfAbsent(message.groupId(), g -> new ArrayList<>()).add(message);
            }
            for (List<Received> group : groups.values()) {
                submit(() -> runGroup(group, 0), group);
            }
        } else {
            ready.addAll(messages);
            startWorkerIfNeeded();
        }
    }

    /** Starts a worker when messages are waiting and no worker is on its way to them. */
    private void startWorkerIfNeeded() {
        if (ready.isEmpty() || !workerStarting.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::drainReady);
        } catch (Throwable e) { // RejectedExecutionException while stopping, or anything else: nothing may be lost
            workerStarting.set(false);
            List<Received> waiting = new ArrayList<>();
            Received message;
            while ((message = ready.poll()) != null) {
                waiting.add(message);
            }
            release.accept(waiting);
            slots.release(waiting.size());
        }
    }

    /** A worker: handles ready messages one after the other until none is left. */
    private void drainReady() {
        boolean starting = true;
        try {
            Received message;
            do {
                message = ready.poll();
                if (starting) {
                    starting = false;
                    workerStarting.set(false);
                }
                // before a handler that may block: the messages still waiting get a worker of their own
                startWorkerIfNeeded();
                if (message != null) {
                    handle(message).whenComplete((v, e) -> slots.release(1));
                }
            } while (message != null);
        } catch (Throwable e) { // handle() never throws; this keeps a worker's death from stranding the ready queue
            LOG.log(System.Logger.Level.ERROR, "A handler worker failed unexpectedly", e);
        } finally {
            if (starting) {
                workerStarting.set(false);
            }
            startWorkerIfNeeded();
        }
    }

    /** Runs work on the executor; if it refuses (shutting down), the messages are released at once. */
    private void submit(Runnable work, List<Received> messages) {
        try {
            executor.execute(work);
        } catch (Throwable e) { // RejectedExecutionException while stopping, or anything else: nothing may be lost
            release.accept(messages);
            slots.release(messages.size());
        }
    }

    /** The handling of one message; whatever it throws counts as "retry later" (it stays on the queue). */
    private CompletionStage<InboundOutcome.Disposition> handle(Received message) {
        try {
            CompletionStage<InboundOutcome.Disposition> stage = handling.apply(message);
            return stage != null ? stage : CompletableFuture.completedFuture(InboundOutcome.Disposition.RETRY);
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, "Handling message " + message.messageId() + " failed unexpectedly; "
                    + "it becomes visible again when its visibility timeout ends", e);
            return CompletableFuture.completedFuture(InboundOutcome.Disposition.RETRY);
        }
    }

    /** Runs a group's messages in order from {@code index}; a message that stays on the queue releases the rest. */
    private void runGroup(List<Received> group, int index) {
        if (index >= group.size()) {
            return;
        }
        handle(group.get(index)).whenComplete((disposition, error) -> {
            slots.release(1);
            if (disposition != null && !disposition.staysOnQueue() && !stopping.getAsBoolean()) {
                runGroup(group, index + 1);
            } else {
                List<Received> rest = group.subList(index + 1, group.size());
                release.accept(rest);
                slots.release(rest.size());
            }
        });
    }
}
