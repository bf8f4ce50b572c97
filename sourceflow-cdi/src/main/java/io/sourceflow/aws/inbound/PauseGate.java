package io.sourceflow.aws.inbound;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Pausing one queue's receives: a receive starts only through {@link #beginReceive}, which refuses while paused or
 * stopped, under the same lock that counts receives in progress, so that {@link #awaitNoReceive} can tell when a paused
 * listener has truly gone quiet.
 */
final class PauseGate {

    private final String queueName;
    private final Object pauseLock = new Object();
    private final Object receiveLock = new Object();
    private volatile boolean paused;
    private int receivesInProgress;

    PauseGate(String queueName) {
        this.queueName = queueName;
    }

    boolean isPaused() {
        return paused;
    }

    void pause() {
        paused = true;
    }

    void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
    }

    /**
     * Waits (a second at a time, noting each wake-up as progress) while paused and {@code running} holds.
     *
     * @return whether the loop is still running
     */
    boolean waitWhilePaused(BooleanSupplier running, Consumer<Instant> progress) throws InterruptedException {
        synchronized (pauseLock) {
            while (paused && running.getAsBoolean()) {
                progress.accept(Instant.now());
                pauseLock.wait(1000);
            }
        }
        return running.getAsBoolean();
    }

    /** Marks a receive as started, unless paused or not {@code running} (checked under the same lock). */
    boolean beginReceive(boolean running) {
        synchronized (receiveLock) {
            if (paused || !running) {
                return false;
            }
            receivesInProgress++;
            return true;
        }
    }

    void endReceive() {
        synchronized (receiveLock) {
            receivesInProgress--;
            receiveLock.notifyAll();
        }
    }

    /**
     * Waits until a paused listener has no receive in progress: its last receive returned and its messages were handed
     * to handlers, and no new receive starts until it is resumed.
     *
     * @return whether that happened before the deadline
     * @throws IllegalStateException if the listener is not paused
     */
    boolean awaitNoReceive(long deadlineNanos) throws InterruptedException {
        synchronized (receiveLock) {
            if (!paused) {
                throw new IllegalStateException("The listener of queue " + queueName + " is not paused; pause it first");
            }
            while (receivesInProgress > 0) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(receiveLock, left);
            }
            return true;
        }
    }
}
