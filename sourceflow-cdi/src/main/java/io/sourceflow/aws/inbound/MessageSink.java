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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Hands received messages to handler threads, at most {@link HandlerSlots#handlers()} at once; what does not find a
 * free handler waits in a ready queue. The unit of work is one message on a standard queue, and on a FIFO queue one
 * message group of a receive, whose messages run one at a time, in order (when one stays on the queue, because it
 * failed or another instance holds it, or the listener is stopping, the rest of its group is released untouched, so
 * order holds across the retry). Workers drain the ready queue: a worker that finishes a unit takes the next without a
 * hand-off to another thread, and a worker that takes a unit while others wait first starts one more, so a handler
 * that blocks never holds back the units behind it. Every message gives its slot back when it is done.
 */
final class MessageSink {

    private static final System.Logger LOG = System.getLogger(MessageSink.class.getName());

    private final boolean fifo;
    private final Executor executor;
    private final HandlerSlots slots;
    private final int maxHandlers;
    private final Function<Received, CompletionStage<InboundOutcome.Disposition>> handling;
    private final Consumer<List<Received>> release;
    private final Consumer<List<Received>> protect;
    private final BooleanSupplier stopping;
    /** Units no worker has taken yet. */
    private final Queue<List<Received>> ready = new ConcurrentLinkedQueue<>();
    /** Units taken and not finished: each holds a handler. */
    private final AtomicInteger running = new AtomicInteger();
    /** A worker was submitted and has not taken its first unit yet (at most one at a time). */
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
        this.maxHandlers = slots.handlers();
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
            ready.addAll(groups.values());
        } else {
            for (Received message : messages) {
                ready.add(List.of(message));
            }
        }
        startWorkerIfNeeded();
    }

    /** Starts a worker when units wait, a handler is free and no worker is on its way to them. */
    private void startWorkerIfNeeded() {
        if (ready.isEmpty() || running.get() >= maxHandlers || !workerStarting.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::work);
        } catch (Throwable e) { // RejectedExecutionException while stopping, or anything else: nothing may be lost
            workerStarting.set(false);
            List<Received> unit;
            while ((unit = ready.poll()) != null) {
                release.accept(unit);
                slots.release(unit.size());
            }
        }
    }

    /** A worker: runs ready units one after the other while a handler is free. */
    private void work() {
        boolean starting = true;
        try {
            List<Received> unit;
            do {
                unit = take();
                if (starting) {
                    starting = false;
                    workerStarting.set(false);
                }
                // before a handler that may block: the units still waiting get a worker of their own
                startWorkerIfNeeded();
                if (unit != null) {
                    run(unit);
                }
            } while (unit != null);
        } catch (Throwable e) { // run() does not throw; this keeps a worker's death from stranding the ready queue
            LOG.log(System.Logger.Level.ERROR, "A handler worker failed unexpectedly", e);
        } finally {
            if (starting) {
                workerStarting.set(false);
            }
            startWorkerIfNeeded();
        }
    }

    /** The next ready unit if a handler is free, counted as running; null if none waits or no handler is free. */
    private List<Received> take() {
        int now;
        do {
            now = running.get();
            if (now >= maxHandlers) {
                return null;
            }
        } while (!running.compareAndSet(now, now + 1));
        List<Received> unit = ready.poll();
        if (unit == null) {
            running.decrementAndGet();
        }
        return unit;
    }

    /** Runs a unit; its handler is free again when the unit is done (at once, or when an asynchronous one completes). */
    private void run(List<Received> unit) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            if (fifo) {
                runGroup(unit, 0, done);
            } else {
                handle(unit.get(0)).whenComplete((v, e) -> {
                    slots.release(1);
                    done.complete(null);
                });
            }
        } finally {
            if (done.isDone()) {
                running.decrementAndGet(); // this worker goes on with the next unit itself
            } else {
                done.whenComplete((v, e) -> {
                    running.decrementAndGet();
                    startWorkerIfNeeded();
                });
            }
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
    private void runGroup(List<Received> group, int index, CompletableFuture<Void> done) {
        if (index >= group.size()) {
            done.complete(null);
            return;
        }
        handle(group.get(index)).whenComplete((disposition, error) -> {
            slots.release(1);
            if (disposition != null && !disposition.staysOnQueue() && !stopping.getAsBoolean()) {
                runGroup(group, index + 1, done);
                return;
            }
            List<Received> rest = group.subList(index + 1, group.size());
            try {
                release.accept(rest);
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.ERROR, rest.size() + " message(s) of a FIFO group could not be released; "
                        + "they become visible again when their visibility timeout ends", e);
            } finally {
                slots.release(rest.size());
                done.complete(null);
            }
        });
    }
}
