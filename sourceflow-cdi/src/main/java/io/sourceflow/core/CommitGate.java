package io.sourceflow.core;

import io.sourceflow.SourceFlowException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
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
        if (found.isEmpty()) {
            return prepared.send().toCompletableFuture();
        }
        switch (JtaAccess.phase(found.get())) {
            case NONE -> {
                return prepared.send().toCompletableFuture();
            }
            case DOOMED -> {
                // marked rollback-only or rolling back: it will never commit, so neither may its messages leave
                LOG.log(System.Logger.Level.DEBUG, () -> what + " was not sent: its transaction is rolling back");
                prepared.discard();
                return CompletableFuture.completedFuture(null);
            }
            default -> {
                // in a transaction that may still commit: enlisted below
            }
        }
        // null until stored; empty: no outbox, sent from memory after the commit; a relay: the committed row's
        AtomicReference<Optional<Runnable>> stored = new AtomicReference<>();
        try {
            JtaAccess.afterCompletion(found.get(), committed -> {
                Optional<Runnable> relay = stored.get();
                if (!committed || relay == null) {
                    LOG.log(System.Logger.Level.DEBUG, () -> what + " was not sent: " + (committed
                            ? "it could not be stored in the outbox (its sender was told)" : "its transaction rolled back"));
                    prepared.discard();
                    return;
                }
                if (relay.isPresent()) {
                    relay.get().run(); // the outbox row is committed: whatever happens now, it is relayed
                    return;
                }
                prepared.send().whenComplete((v, failure) -> {
                    if (failure != null) {
                        LOG.log(System.Logger.Level.ERROR, what + " was committed with its transaction but could not be sent; "
                                + "resend it (the transaction's changes are in place)", failure);
                    }
                });
            });
        } catch (RuntimeException e) {
            // the transaction is completing (prepared, committing): too late to wait for its outcome, too early to send
            prepared.discard();
            return CompletableFuture.failedFuture(new SourceFlowException(what + " cannot be sent from a transaction that "
                    + "is already completing (" + e.getMessage() + "); send it before the commit begins, or after it", e));
        }
        Optional<Runnable> relay;
        try {
            relay = prepared.storeInTransaction();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new SourceFlowException(what + " could not be stored in the "
                    + "transactional outbox (" + e.getMessage() + "); it will not be sent, and its transaction should not "
                    + "commit", e));
        }
        if (relay.isPresent() && JtaAccess.phase(found.get()) == Phase.DOOMED) {
            // the store returned, but left the transaction marked rollback-only (seen on Open Liberty): a container's
            // @Transactional then rolls back without an exception, and the caller would take the message as sent
            return CompletableFuture.failedFuture(new SourceFlowException(what + " was stored in the transactional "
                    + "outbox, but storing it marked its transaction rollback-only: the transaction will roll back and "
                    + "the message will not be sent. Retry the operation; if it keeps happening, check the server log "
                    + "for what failed in the outbox's persistence unit"));
        }
        stored.set(relay);
        return CompletableFuture.completedFuture(null);
    }

    /**
     * The registry: from CDI, else from JNDI. A miss is remembered only when it came from {@link #resolveAtStartup}: a
     * send on a thread without {@code java:comp} (an SDK callback, say) before that must not turn the gate off for the
     * deployment's life.
     */
    private Optional<Object> registry() {
        Optional<Object> current = resolved;
        if (current != null) {
            return current;
        }
        Optional<Object> found = registry.get().or(CommitGate::lookup);
        if (found.isPresent()) {
            resolved = found;
        }
        return found;
    }

    /**
     * Resolves the registry for good, on a container thread at application start (where {@code java:comp} is
     * available): what is not found there does not exist in this deployment.
     *
     * @return whether there is a registry (transactions hold sends back)
     */
    boolean resolveAtStartup() {
        if (resolved == null) {
            resolved = registry.get().or(CommitGate::lookup);
        }
        return resolved.isPresent();
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

    /** Where a send's transaction is. */
    private enum Phase { NONE, DOOMED, OPEN }

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

        /** Where the calling thread's transaction is: none (or already completed), doomed, or still able to commit. */
        static Phase phase(Object registry) {
            return switch (((TransactionSynchronizationRegistry) registry).getTransactionStatus()) {
                case Status.STATUS_NO_TRANSACTION, Status.STATUS_COMMITTED, Status.STATUS_ROLLEDBACK, Status.STATUS_UNKNOWN -> Phase.NONE;
                case Status.STATUS_MARKED_ROLLBACK, Status.STATUS_ROLLING_BACK -> Phase.DOOMED;
                default -> Phase.OPEN;
            };
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
