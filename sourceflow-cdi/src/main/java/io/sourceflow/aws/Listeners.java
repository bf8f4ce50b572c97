package io.sourceflow.aws;

import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The queue listeners of this deployment as {@link ListenerControl} and {@link TransportStatus} see them. The
 * listener runtime ({@code io.sourceflow.aws.inbound}) implements it, so this package never names the listener's
 * types. Internal to SourceFlow: applications use {@link ListenerControl}.
 */
public interface Listeners {

    /** The state of every listener started so far (empty before startup completed or when nothing is polled). */
    List<TransportStatus.Poller> pollers();

    /**
     * Pauses one queue's listener ({@code null}: every listener).
     *
     * @throws NoSuchElementException if this deployment does not poll that queue
     */
    void pause(String queue);

    /**
     * Resumes one queue's listener ({@code null}: every listener).
     *
     * @throws NoSuchElementException if this deployment does not poll that queue
     */
    void resume(String queue);

    /**
     * Waits until a paused queue's listener has no receive in progress.
     *
     * @return whether that happened within the timeout
     * @throws NoSuchElementException if this deployment does not poll that queue
     * @throws IllegalStateException  if the listener is not paused
     */
    boolean awaitPaused(String queue, Duration timeout) throws InterruptedException;
}
