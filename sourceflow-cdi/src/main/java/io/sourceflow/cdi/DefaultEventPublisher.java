package io.sourceflow.cdi;

import io.sourceflow.Event;
import io.sourceflow.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The {@link EventPublisher}: routed events go to their topic, the others to every local handler.
 * Inside a handler, events are held back until the handler succeeded.
 */
@ApplicationScoped
public class DefaultEventPublisher implements EventPublisher {

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

    /** Publishes an event now, bypassing the hold-back (used when a handler's held events are released). */
    CompletionStage<Void> publishNow(Event event) {
        return publish(router.describe(event, "event"), event);
    }

    private CompletionStage<Void> publish(MessageDescriptor descriptor, Event event) {
        if (router.isRemote(descriptor)) {
            return router.sendRemote(descriptor, event);
        }
        List<HandlerInvoker> handlers = router.registry().eventHandlers(descriptor.type());
        if (handlers.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        InProcessMessageContext context = new InProcessMessageContext(UUID.randomUUID().toString(),
                descriptor.logicalName(), descriptor.entityKeyOf(event), Instant.now());
        // Every handler runs even if an earlier one failed; the first failure wins, the others are suppressed.
        Throwable firstFailure = null;
        List<CompletableFuture<Void>> pending = new java.util.ArrayList<>();
        for (HandlerInvoker handler : handlers) {
            CompletableFuture<Void> outcome = dispatcher.dispatch(handler, event, context).toCompletableFuture();
            if (outcome.isDone()) {
                firstFailure = collect(firstFailure, outcome);
            } else {
                pending.add(outcome);
            }
        }
        if (pending.isEmpty()) {
            return firstFailure == null ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(firstFailure);
        }
        Throwable syncFailure = firstFailure;
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            Throwable failure = syncFailure;
            for (CompletableFuture<Void> outcome : pending) {
                failure = collect(failure, outcome);
            }
            if (failure != null) {
                throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
            }
            return null;
        });
    }

    private static Throwable collect(Throwable first, CompletableFuture<Void> outcome) {
        if (!outcome.isCompletedExceptionally()) {
            return first;
        }
        Throwable failure = outcome.handle((v, e) -> e).join();
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        if (first == null) {
            return failure;
        }
        first.addSuppressed(failure);
        return first;
    }
}
