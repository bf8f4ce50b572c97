package io.sourceflow.core;

import io.sourceflow.Event;
import io.sourceflow.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The {@link EventPublisher}: routed events go to their topic, the others to every local handler.
 * Inside a handler, events are held back until the handler succeeded.
 */
@ApplicationScoped
public class DefaultEventPublisher implements EventPublisher, HeldMessageRelease {

    private OutboundRouter router;
    private HandlerDispatcher dispatcher;

    /** For the container's client proxy. */
    protected DefaultEventPublisher() {
    }

    @Inject
    DefaultEventPublisher(OutboundRouter router, HandlerDispatcher dispatcher) {
        this.router = router;
        this.dispatcher = dispatcher;
    }

    @Override
    public void raise(Event event) {
        MessageDescriptor descriptor = router.describe(event, "event");
        if (dispatcher.holdIfInHandler(event) != null) {
            return;
        }
        Completions.await(publish(descriptor, event), "event " + descriptor.logicalName());
    }

    @Override
    public CompletionStage<Void> raiseAsync(Event event) {
        MessageDescriptor descriptor;
        try {
            descriptor = router.describe(event, "event");
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> held = dispatcher.holdIfInHandler(event);
        return held != null ? held : publish(descriptor, event);
    }

    /** Sends a message a handler sent, now that the handler succeeded: events published, commands to their queue. */
    @Override
    public CompletionStage<Void> sendNow(Object message, String messageId) {
        if (message instanceof Event event) {
            return publish(router.describe(event, "event"), event, messageId);
        }
        return router.sendRemote(router.describe(message, "command"), message, messageId);
    }

    private CompletionStage<Void> publish(MessageDescriptor descriptor, Event event) {
        return publish(descriptor, event, null);
    }

    /** @param messageId the id to send it with, or {@code null} for a new one */
    private CompletionStage<Void> publish(MessageDescriptor descriptor, Event event, String messageId) {
        if (router.isRemote(descriptor)) {
            return router.sendRemote(descriptor, event, messageId);
        }
        List<HandlerInvoker> handlers = router.registry().eventHandlers(descriptor.type());
        if (handlers.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        InProcessMessageContext context = new InProcessMessageContext(messageId != null ? messageId : UUID.randomUUID().toString(),
                descriptor.logicalName(), descriptor.entityKeyOf(event), Instant.now());
        return dispatcher.dispatchAll(handlers, event, context);
    }
}
