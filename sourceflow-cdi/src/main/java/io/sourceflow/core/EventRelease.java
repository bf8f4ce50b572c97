package io.sourceflow.core;

import io.sourceflow.Event;

import java.util.concurrent.CompletionStage;

/**
 * Publishes an event that a handler raised and {@link HandlerDispatcher} held back, once that handler succeeded. The
 * publisher implements it and the dispatcher is handed it, so the dispatcher never calls back up into the publisher.
 */
public interface EventRelease {

    /** Publishes the event now, bypassing the hold-back; the stage completes when it was accepted (or delivered). */
    CompletionStage<Void> publishNow(Event event);
}
