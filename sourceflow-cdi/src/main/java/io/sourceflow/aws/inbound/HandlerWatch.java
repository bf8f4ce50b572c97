package io.sourceflow.aws.inbound;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Watches one message's handler for {@code sourceflow.aws.handler-timeout}. Past it the thread running the handler is
 * interrupted if the handler still runs on it, the handler counts as past its timeout until it returns (liveness is
 * DOWN while such handlers hold every slot of the queue), and the message is given up for redelivery. The slot stays
 * taken: the thread is still busy.
 */
final class HandlerWatch {

    private final Received message;
    private final AtomicInteger pastTimeout;
    private final Consumer<Received> giveUp;
    private final Thread thread = Thread.currentThread();
    private final ScheduledFuture<?> timer;
    private boolean onThread = true;
    private boolean timedOut;
    private boolean finished;

    /**
     * Starts watching, on the thread that runs the handler.
     *
     * @param pastTimeout counts the queue's handlers running past their timeout
     * @param giveUp      what becomes of the message past the timeout (its heartbeat ends; it is logged)
     */
    HandlerWatch(Received message, ScheduledExecutorService scheduler, Duration timeout, AtomicInteger pastTimeout,
                 Consumer<Received> giveUp) {
        this.message = message;
        this.pastTimeout = pastTimeout;
        this.giveUp = giveUp;
        ScheduledFuture<?> scheduled;
        try {
            scheduled = scheduler.schedule(this::timeout, timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (Throwable e) { // the timer is stopping with the application: no watch
            scheduled = null;
        }
        this.timer = scheduled;
    }

    private void timeout() {
        synchronized (this) {
            if (finished) {
                return;
            }
            timedOut = true;
            if (onThread) {
                thread.interrupt();
            }
            pastTimeout.incrementAndGet();
        }
        giveUp.accept(message);
    }

    /** The handler's synchronous part returned: its thread goes on to other work and must not be interrupted. */
    void leftThread() {
        boolean clear;
        synchronized (this) {
            onThread = false;
            clear = timedOut;
        }
        if (clear) {
            Thread.interrupted(); // an interrupt meant for the handler must not reach the thread's next task
        }
    }

    /** The handler completed (its message is being settled). */
    void done() {
        if (timer != null) {
            timer.cancel(false);
        }
        synchronized (this) {
            finished = true;
            if (timedOut) {
                pastTimeout.decrementAndGet();
            }
        }
    }
}
