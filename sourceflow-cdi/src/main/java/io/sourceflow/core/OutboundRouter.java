package io.sourceflow.core;

import io.sourceflow.SourceFlowException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
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
    private final CommitGate commitGate;

    @Inject
    OutboundRouter(HandlerRegistry registry, Instance<OutboundTransport> transport, Instance<Object> beans) {
        this.registry = registry;
        this.transport = transport;
        this.commitGate = new CommitGate(() -> transactionRegistryBean(beans));
    }

    /** A TransactionSynchronizationRegistry the application provides as a CDI bean (tests, some SE setups). */
    private static java.util.Optional<Object> transactionRegistryBean(Instance<Object> beans) {
        try {
            Class<?> type = Class.forName("jakarta.transaction.TransactionSynchronizationRegistry", false,
                    OutboundRouter.class.getClassLoader());
            Instance<?> candidates = beans.select(type);
            return candidates.isResolvable() ? java.util.Optional.of(candidates.get()) : java.util.Optional.empty();
        } catch (ClassNotFoundException | LinkageError e) {
            return java.util.Optional.empty();
        }
    }

    /** Finds the transaction registry on a container thread, before any send needs it. */
    void onStart(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_BEFORE) @Initialized(ApplicationScoped.class) Object ignored) {
        if (!commitGate.resolveAtStartup() && registry.config().outbox().enabled()) {
            System.getLogger(OutboundRouter.class.getName()).log(System.Logger.Level.WARNING, "sourceflow.outbox.enabled=true, "
                    + "but there is no JTA TransactionSynchronizationRegistry (Java SE without a transaction manager): "
                    + "nothing is stored in the outbox, and every send goes out at once");
        }
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

    /**
     * Sends a message of a remote type through the transport: checked and encoded now; sent now, or, inside an
     * active JTA transaction, after it commits (dropped if it rolls back).
     */
    CompletionStage<Void> sendRemote(MessageDescriptor descriptor, Object message, String messageId) {
        if (transport.isUnsatisfied()) {
            return CompletableFuture.failedFuture(new SourceFlowException(descriptor.describe() + " is routed to "
                    + descriptor.route().orElseThrow().destination() + " but no transport is active in this deployment"));
        }
        OutboundTransport.Prepared prepared;
        try {
            prepared = transport.get().prepare(descriptor, message, messageId);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return commitGate.sendOrDefer(prepared, (descriptor.kind() == MessageKind.COMMAND ? "Command " : "Event ")
                + descriptor.logicalName() + " " + prepared.messageId());
    }

    HandlerRegistry registry() {
        return registry;
    }
}
