package io.sourceflow.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * What one running handler sent (events, and commands to queues), held back until its outcome is known, and the ids
 * they get: derived from the handled message's id, the handler and the send's ordinal, so that a retry of the message
 * that sends the same messages in the same order sends them with the same ids (docs/wire-format.md, "Message ids"),
 * and the receivers' idempotency recognises them. Thread-safe: an asynchronous handler may send from other threads
 * ({@link io.sourceflow.MessageContext#runInHandler}) until its stage completes.
 */
final class HandlerFrame {

    /** A message a handler sent, waiting for the handler's outcome. */
    record Held(Object message, String messageId, CompletableFuture<Void> accepted) {
    }

    private final String handledId;
    private final String handler;
    private final List<Held> held = new ArrayList<>(0);
    private boolean closed;

    HandlerFrame(String handledId, String handler) {
        this.handledId = handledId;
        this.handler = handler;
    }

    /** The id of the {@code ordinal}-th message (from 0) that {@code handler} sends while handling {@code handledId}. */
    static String derivedId(String handledId, String handler, int ordinal) {
        return UUID.nameUUIDFromBytes((handledId + "\n" + handler + "\n" + ordinal).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * Holds a message until the handler's outcome is known.
     *
     * @throws IllegalStateException if the handler has already completed
     */
    synchronized void hold(Object message) {
        if (closed) {
            throw new IllegalStateException(message.getClass().getSimpleName() + " was sent after its handler " + handler
                    + " completed (its messages already left or were discarded): send inside the handler's stage, "
                    + "before it completes");
        }
        held.add(new Held(message, derivedId(handledId, handler, held.size()), new CompletableFuture<>()));
    }

    /** The handler completed: nothing more may be held; returns what was. */
    synchronized List<Held> close() {
        closed = true;
        return List.copyOf(held);
    }
}
