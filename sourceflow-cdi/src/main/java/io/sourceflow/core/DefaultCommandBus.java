package io.sourceflow.core;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.NoHandlerException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The {@link CommandBus}: routed commands go to their queue, the others to the local handler. */
@ApplicationScoped
public class DefaultCommandBus implements CommandBus {

    private OutboundRouter router;
    private HandlerDispatcher dispatcher;

    /** For the container's client proxy. */
    protected DefaultCommandBus() {
    }

    @Inject
    DefaultCommandBus(OutboundRouter router, HandlerDispatcher dispatcher) {
        this.router = router;
        this.dispatcher = dispatcher;
    }

    @Override
    public void send(Command command) {
        MessageDescriptor descriptor = router.describe(command, "command");
        if (router.isRemote(descriptor) && dispatcher.holdIfInHandler(command) != null) {
            return; // sent by a running handler: it leaves when the handler succeeded
        }
        Completions.await(dispatch(descriptor, command), "command " + descriptor.logicalName());
    }

    @Override
    public CompletionStage<Void> sendAsync(Command command) {
        MessageDescriptor descriptor;
        try {
            descriptor = router.describe(command, "command");
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (router.isRemote(descriptor)) {
            CompletableFuture<Void> held = dispatcher.holdIfInHandler(command);
            if (held != null) {
                return held;
            }
        }
        return dispatch(descriptor, command);
    }

    private CompletionStage<Void> dispatch(MessageDescriptor descriptor, Command command) {
        if (router.isRemote(descriptor)) {
            return router.sendRemote(descriptor, command, null);
        }
        HandlerInvoker handler = router.registry().commandHandler(descriptor.type()).orElse(null);
        if (handler == null) {
            return CompletableFuture.failedFuture(new NoHandlerException("No handler for command " + descriptor.describe()
                    + " in this deployment, and it has no route. Add a @Handles method for it, or route it to a queue with "
                    + "@SendTo or sourceflow.routes.commands." + descriptor.logicalName()));
        }
        InProcessMessageContext context = new InProcessMessageContext(UUID.randomUUID().toString(),
                descriptor.logicalName(), descriptor.entityKeyOf(command), Instant.now());
        return dispatcher.dispatch(handler, command, context);
    }
}
