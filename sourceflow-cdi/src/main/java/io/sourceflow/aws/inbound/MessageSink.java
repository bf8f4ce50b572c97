package io.sourceflow.aws.inbound;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Hands a receive's messages to handler threads: one task per message on a standard queue; on a FIFO queue one task
 * per message group, running the group's messages one at a time, in order. When a message of a group stays on the
 * queue (it failed, or another instance holds it), or the listener is stopping, the rest of its group from that
 * receive is released untouched, so order holds across the retry. Every message gives its slot back when it is done.
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
            for (Received message : messages) {
                submit(() -> handle(message).whenComplete((v, e) -> slots.release(1)), List.of(message));
            }
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
            return handling.apply(message);
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
