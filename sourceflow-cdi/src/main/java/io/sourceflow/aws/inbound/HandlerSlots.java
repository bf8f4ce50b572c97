package io.sourceflow.aws.inbound;

import io.sourceflow.aws.ServiceLimits;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Back-pressure for one queue: at most {@code max-concurrent-messages} messages are in flight (received and not yet
 * settled or released). A poller takes slots before it receives and asks for no more messages than it holds; each
 * message gives its slot back on its own, so there is no batch barrier.
 */
final class HandlerSlots {

    private final int capacity;
    private final int fullReceive;
    private final Semaphore free;

    HandlerSlots(int capacity) {
        this.capacity = capacity;
        this.fullReceive = Math.min(ServiceLimits.MAX_BATCH_ENTRIES, capacity);
        this.free = new Semaphore(capacity);
    }

    /**
     * Waits for free slots and takes up to 10: at least one while the queue is quiet (a message is handled as soon as
     * a slot is free), a full receive's worth while it has a backlog (fewer, fuller receives cost less per message);
     * then as many more as are free at once, up to 10.
     *
     * @return the slots taken; 0 if not enough were free within the timeout
     */
    int acquire(boolean backlog, long timeout, TimeUnit unit) throws InterruptedException {
        int wanted = backlog ? fullReceive : 1;
        if (!free.tryAcquire(wanted, timeout, unit)) {
            return 0;
        }
        int more = 0;
        while (wanted + more < ServiceLimits.MAX_BATCH_ENTRIES && free.tryAcquire()) {
            more++;
        }
        return wanted + more;
    }

    /** Gives slots back. */
    void release(int slots) {
        if (slots > 0) {
            free.release(slots);
        }
    }

    /** Messages in flight now. */
    int inFlight() {
        return capacity - free.availablePermits();
    }

    /** How many slots a poller waits for while the queue has a backlog. */
    int fullReceive() {
        return fullReceive;
    }
}
