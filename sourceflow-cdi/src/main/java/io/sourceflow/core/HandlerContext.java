package io.sourceflow.core;

import io.sourceflow.MessageContext;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** The {@link MessageContext} one handler gets: the delivery's, plus {@link #runInHandler} bound to that handler. */
final class HandlerContext implements MessageContext {

    private final MessageContext delivery;
    private final Consumer<Runnable> inHandler;

    /** @param inHandler runs work on the calling thread as part of the handler */
    HandlerContext(MessageContext delivery, Consumer<Runnable> inHandler) {
        this.delivery = delivery;
        this.inHandler = inHandler;
    }

    @Override
    public String messageId() {
        return delivery.messageId();
    }

    @Override
    public String messageType() {
        return delivery.messageType();
    }

    @Override
    public Optional<String> entityKey() {
        return delivery.entityKey();
    }

    @Override
    public int receiveCount() {
        return delivery.receiveCount();
    }

    @Override
    public String destination() {
        return delivery.destination();
    }

    @Override
    public Instant sentAt() {
        return delivery.sentAt();
    }

    @Override
    public Map<String, String> extensions() {
        return delivery.extensions();
    }

    @Override
    public Map<String, String> messageAttributes() {
        return delivery.messageAttributes();
    }

    @Override
    public void runInHandler(Runnable work) {
        inHandler.accept(work);
    }

    @Override
    public String toString() {
        return delivery.toString();
    }
}
