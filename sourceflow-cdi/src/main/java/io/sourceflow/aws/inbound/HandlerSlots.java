package io.sourceflow.aws.inbound;

import io.sourceflow.aws.ServiceLimits;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Back-pressure for one queue: at most {@code max-concurrent-messages} handlers run at once, and while the queue has a
 * backlog at most {@link #receiveAheadFor receive-ahead} more messages wait for one, so that the next receives overlap
 * the handling instead of following it (one receive of 10 per round trip could not keep 10 handlers busy). A slot is
 * a message in flight: received and not yet settled or released. A poller takes slots before it receives and asks for
 * no more messages than it holds; each message gives its slot back on its own, so there is no batch barrier. A quiet
 * queue is received only into free handlers: nothing waits there while another instance could take it.
 */
final class HandlerSlots {

    /** At most this many messages wait for a handler, whatever the concurrency. */
    static final int MAX_RECEIVE_AHEAD = 80;
    /** At most this many handler rounds wait: a message waits for at most three handlers before its own. */
    static final int RECEIVE_AHEAD_ROUNDS = 3;
    private static final int MAX_POLLERS = 8;

    private final int handlers;
    private final int receiveAhead;
    private final int capacity;
    private final int fullReceive;
    private final Semaphore free;

    /**
     * @param handlers     handlers that may run at once ({@code max-concurrent-messages})
     * @param receiveAhead messages that may wait for a handler while the queue has a backlog
     */
    HandlerSlots(int handlers, int receiveAhead) {
        if (handlers < 1 || receiveAhead < 0) {
            throw new IllegalArgumentException("handlers " + handlers + ", receive-ahead " + receiveAhead);
        }
        this.handlers = handlers;
        this.receiveAhead = receiveAhead;
        this.capacity = handlers + receiveAhead;
        // with waiting room, a backlog's receive needs only that room, so that it overlaps the running handlers
        this.fullReceive = Math.min(ServiceLimits.MAX_BATCH_ENTRIES, receiveAhead > 0 ? receiveAhead : capacity);
        this.free = new Semaphore(capacity);
    }

    /** The slots of a listener with {@code handlers} handlers and the library's receive-ahead for them. */
    static HandlerSlots forHandlers(int handlers) {
        return new HandlerSlots(handlers, receiveAheadFor(handlers));
    }

    /**
     * Three handler rounds, at most {@value #MAX_RECEIVE_AHEAD} messages (30 for the default 10 handlers); none below
     * one full receive of handlers. A listener with fewer than 10 handlers was made that small on purpose (slow or
     * scarce work): what it received ahead would wait there while another instance could run it, and one receive
     * already fills all its handlers.
     */
    static int receiveAheadFor(int handlers) {
        if (handlers < ServiceLimits.MAX_BATCH_ENTRIES) {
            return 0;
        }
        return Math.min(RECEIVE_AHEAD_ROUNDS * handlers, MAX_RECEIVE_AHEAD);
    }

    /**
     * Waits for free slots and takes up to 10: while the queue has a backlog, a full receive's worth (fewer, fuller
     * receives cost less per message), waiting handlers included; while it is quiet, at least one free handler (a
     * message is handled as soon as one is free), plus as many more free handlers as there are at once, up to 10.
     *
     * @return the slots taken; 0 if not enough were free within the timeout
     */
    int acquire(boolean backlog, long timeout, TimeUnit unit) throws InterruptedException {
        if (backlog) {
            if (!free.tryAcquire(fullReceive, timeout, unit)) {
                return 0;
            }
            int more = 0;
            while (fullReceive + more < ServiceLimits.MAX_BATCH_ENTRIES && free.tryAcquire()) {
                more++;
            }
            return fullReceive + more;
        }
        // a free handler: the receive-ahead's worth of slots must be free as well as one more
        if (!free.tryAcquire(receiveAhead + 1, timeout, unit)) {
            return 0;
        }
        free.release(receiveAhead);
        int taken = 1;
        while (taken < ServiceLimits.MAX_BATCH_ENTRIES && inFlight() < handlers && free.tryAcquire()) {
            taken++;
        }
        return taken;
    }

    /** Gives slots back. */
    void release(int slots) {
        if (slots > 0) {
            free.release(slots);
        }
    }

    /** Messages in flight now: received and not yet settled or released, waiting for a handler included. */
    int inFlight() {
        return capacity - free.availablePermits();
    }

    /** Handlers that may run at once ({@code max-concurrent-messages}). */
    int handlers() {
        return handlers;
    }

    /**
     * Pollers the slots keep busy: one per full 10 slots, waiting handlers included (at least 1, at most 8). Rounding
     * down keeps every receive of a backlog full (7 pollers for 64 slots would leave one asking for 4).
     */
    int pollers() {
        return Math.max(1, Math.min(MAX_POLLERS, capacity / ServiceLimits.MAX_BATCH_ENTRIES));
    }
}
