package io.sourceflow.core;

import java.util.concurrent.CompletionStage;

/**
 * Sends a message that a handler sent and {@link HandlerDispatcher} held back, once that handler succeeded: an event
 * (published, to its topic or its in-process handlers) or a command routed to a queue. The publisher implements it and
 * the dispatcher is handed it, so the dispatcher never calls back up into the publisher.
 */
public interface HeldMessageRelease {

    /**
     * Sends the held message now, bypassing the hold-back, with the id it was given when it was held; the stage
     * completes when it was accepted (or delivered).
     */
    CompletionStage<Void> sendNow(Object message, String messageId);
}
