package io.sourceflow.aws;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Pauses and resumes this deployment's queue listeners at runtime, e.g. for blue/green switches or while
 * a dependency is down. Inject it: {@code @Inject ListenerControl listeners;}. A paused listener finishes
 * its receive in progress and its running handlers, then stops receiving until resumed. Pausing is not
 * persisted: a restart polls again.
 */
@Singleton
public final class ListenerControl {

    private final Listeners listeners;

    @Inject
    ListenerControl(Listeners listeners) {
        this.listeners = listeners;
    }

    /** The queues this deployment polls. */
    public List<String> queues() {
        return listeners.pollers().stream().map(TransportStatus.Poller::queue).toList();
    }

    /** Pauses every listener. */
    public void pauseAll() {
        listeners.pause(null);
    }

    /** Resumes every listener. */
    public void resumeAll() {
        listeners.resume(null);
    }

    /**
     * Pauses one queue's listener.
     *
     * @throws NoSuchElementException if this deployment does not poll that queue
     */
    public void pause(String queue) {
        listeners.pause(java.util.Objects.requireNonNull(queue, "queue"));
    }

    /** Resumes one queue's listener. */
    public void resume(String queue) {
        listeners.resume(java.util.Objects.requireNonNull(queue, "queue"));
    }

    /**
     * Waits until a paused queue's listener has no receive in progress: the receive that was running when it was
     * paused has returned and its messages were handed to handlers, and nothing more is received until
     * {@link #resume}. Handlers already running may still be running. Use it before maintenance that must see the
     * queue untouched, such as inspecting or moving its messages.
     *
     * @param queue   the queue
     * @param timeout how long to wait at most (a long poll lasts up to {@code sourceflow.aws.wait-time})
     * @return whether the listener was quiet before the timeout
     * @throws NoSuchElementException if this deployment does not poll that queue
     * @throws IllegalStateException  if the listener is not paused
     * @throws InterruptedException   if the waiting thread is interrupted
     */
    public boolean awaitPaused(String queue, Duration timeout) throws InterruptedException {
        return listeners.awaitPaused(queue, timeout);
    }

    /** Whether a queue's listener is paused. */
    public boolean isPaused(String queue) {
        return listeners.pollers().stream().filter(p -> p.queue().equals(queue)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("This deployment does not poll queue '" + queue + "'; it polls " + queues()))
                .paused();
    }
}
