package io.sourceflow;

import java.util.concurrent.CompletionStage;

/**
 * Raises events. Inject it: {@code @Inject EventPublisher events;}. An event type with a route
 * ({@link RaiseTo} or configuration) is published to its SNS topic; an event without a route is
 * delivered in-process to every handler of this deployment. Events raised while a handler runs are
 * held back and go out only after that handler returned normally; a failing handler's events are
 * discarded.
 */
public interface EventPublisher {

    /**
     * Raises an event and returns when it is accepted (published, or handled in-process by every
     * handler; the first handler exception is rethrown with the others suppressed). Inside a handler
     * it returns at once and the event goes out when the handler succeeds.
     */
    void raise(Event event);

    /** Raises an event without waiting; the stage completes when it is accepted. */
    CompletionStage<Void> raiseAsync(Event event);
}
