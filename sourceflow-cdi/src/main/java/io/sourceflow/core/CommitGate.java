package io.sourceflow.core;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Holds messages sent inside an active JTA transaction until the transaction commits, and drops them if it
 * rolls back, so that no message announces a change that never happened. Uses the server's
 * {@code TransactionSynchronizationRegistry}; where there is none (Java SE, or no JTA on the classpath)
 * every send goes out at once.
 */
final class CommitGate {

    private static final System.Logger LOG = System.getLogger(CommitGate.class.getName());
    private static final String REGISTRY_JNDI = "java:comp/TransactionSynchronizationRegistry";


    private final Supplier<Optional<Object>> registry;
    private volatile Optional<Object> resolved;

    /** @param fromCdi a registry the application provides as a CDI bean, if any */
    CommitGate(Supplier<Optional<Object>> fromCdi) {
        this.registry = fromCdi;
    }

    /**
     * Runs the send now, or registers it to run after the current transaction commits. A registered send's stage
     * completes at once, when the message is enlisted: a caller that waited for the send itself inside the
     * transaction would deadlock (the commit comes only after it returns, and an interceptor that completes the
     * transaction when a returned stage completes, as Narayana's does, would wait for that very stage).
     *
     * @param what for logs: "Command PlaceOrder 1b2c..."
     */
    CompletableFuture<Void> sendOrDefer(OutboundTransport.Prepared prepared, String what) {
        Optional<Object> found = registry();
        if (found.isEmpty() || !JtaAccess.isActive(found.get())) {
            return prepared.send().toCompletableFuture();
        }
        JtaAccess.afterCompletion(found.get(), committed -> {
            if (!committed) {
                LOG.log(System.Logger.Level.DEBUG, () -> what + " was not sent: its transaction rolled back");
                prepared.discard();
                return;
            }
            prepared.send().whenComplete((v, failure) -> {
                if (failure != null) {
                    LOG.log(System.Logger.Level.ERROR, what + " was committed with its transaction but could not be sent; "
                            + "resend it (the transaction's changes are in place)", failure);
                }
            });
        });
        return CompletableFuture.completedFuture(null);
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
