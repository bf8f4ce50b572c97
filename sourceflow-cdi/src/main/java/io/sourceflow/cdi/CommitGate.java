package io.sourceflow.cdi;

import io.sourceflow.SourceFlowException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Holds messages sent inside an active JTA transaction until the transaction commits, and drops them if it
 * rolls back, so that no message announces a change that never happened. Uses the server's
 * {@code TransactionSynchronizationRegistry}; where there is none (Java SE, or no JTA on the classpath)
 * every send goes out at once.
 */
final class CommitGate {

    private static final System.Logger LOG = System.getLogger(CommitGate.class.getName());
    private static final String REGISTRY_JNDI = "java:comp/TransactionSynchronizationRegistry";

    /** A send waiting for its transaction: the blocking API must not wait for it (that would deadlock). */
    static final class AfterCommit extends CompletableFuture<Void> {
    }

    private final Supplier<Optional<Object>> registry;
    private volatile Optional<Object> resolved;

    /** @param fromCdi a registry the application provides as a CDI bean, if any */
    CommitGate(Supplier<Optional<Object>> fromCdi) {
        this.registry = fromCdi;
    }

    /**
     * Runs the send now, or registers it to run after the current transaction commits.
     *
     * @param what for logs: "command PlaceOrder 1b2c..."
     */
    CompletableFuture<Void> sendOrDefer(Supplier<java.util.concurrent.CompletionStage<Void>> send, String what) {
        Optional<Object> found = registry();
        if (found.isEmpty() || !JtaAccess.isActive(found.get())) {
            return send.get().toCompletableFuture();
        }
        AfterCommit result = new AfterCommit();
        JtaAccess.afterCompletion(found.get(), committed -> {
            if (!committed) {
                result.completeExceptionally(new SourceFlowException(what + " was not sent: its transaction rolled back"));
                return;
            }
            send.get().whenComplete((v, failure) -> {
                if (failure == null) {
                    result.complete(null);
                } else {
                    LOG.log(System.Logger.Level.ERROR, what + " was committed with its transaction but could not be sent; "
                            + "resend it (the transaction's changes are in place)", failure);
                    result.completeExceptionally(failure);
                }
            });
        });
        return result;
    }

    private Optional<Object> registry() {
        Optional<Object> current = resolved;
        if (current == null) {
            current = registry.get().or(CommitGate::lookup);
            resolved = current;
        }
        return current;
    }

    private static Optional<Object> lookup() {
        if (!JtaAccess.available()) {
            return Optional.empty();
        }
        try {
            Object found = new InitialContext().lookup(REGISTRY_JNDI);
            return JtaAccess.isRegistry(found) ? Optional.of(found) : Optional.empty();
        } catch (NamingException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The only place that touches JTA types, so the library loads without the JTA API. */
    private static final class JtaAccess {

        static boolean available() {
            try {
                Class.forName("jakarta.transaction.TransactionSynchronizationRegistry", false, CommitGate.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }

        static boolean isRegistry(Object candidate) {
            return candidate instanceof TransactionSynchronizationRegistry;
        }

        static boolean isActive(Object registry) {
            return ((TransactionSynchronizationRegistry) registry).getTransactionStatus() == Status.STATUS_ACTIVE;
        }

        static void afterCompletion(Object registry, java.util.function.Consumer<Boolean> then) {
            ((TransactionSynchronizationRegistry) registry).registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    then.accept(status == Status.STATUS_COMMITTED);
                }
            });
        }
    }
}
