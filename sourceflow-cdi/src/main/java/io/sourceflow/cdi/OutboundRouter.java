package io.sourceflow.cdi;

import io.sourceflow.SourceFlowException;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides, per message type, whether a message leaves the deployment through the transport or is
 * delivered in-process: routed types go out when routing of their kind is enabled; never both.
 */
@Singleton
public final class OutboundRouter {

    private final HandlerRegistry registry;
    private final Instance<OutboundTransport> transport;

    @Inject
    OutboundRouter(HandlerRegistry registry, Instance<OutboundTransport> transport) {
        this.registry = registry;
        this.transport = transport;
    }

    /** Describes the message's type, checking the message is not null. */
    MessageDescriptor describe(Object message, String what) {
        Objects.requireNonNull(message, what + " must not be null");
        return registry.describe(message.getClass());
    }

    /** Whether messages of this type leave the deployment. */
    boolean isRemote(MessageDescriptor descriptor) {
        if (descriptor.route().isEmpty()) {
            return false;
        }
        return descriptor.kind() == MessageKind.COMMAND
                ? registry.config().aws().commandRouting()
                : registry.config().aws().eventRouting();
    }

    /** Sends a message of a remote type through the transport. */
    CompletionStage<Void> sendRemote(MessageDescriptor descriptor, Object message) {
        if (transport.isUnsatisfied()) {
            return CompletableFuture.failedFuture(new SourceFlowException(descriptor.describe() + " is routed to "
                    + descriptor.route().orElseThrow().destination() + " but no transport is active in this deployment"));
        }
        try {
            return transport.get().send(descriptor, message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    HandlerRegistry registry() {
        return registry;
    }
}
