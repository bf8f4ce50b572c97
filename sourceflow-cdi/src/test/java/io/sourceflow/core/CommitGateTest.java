package io.sourceflow.core;

import com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple;
import com.arjuna.ats.jta.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commit gate against Narayana's real transaction manager: sends inside a transaction wait for its commit and are
 * dropped when it rolls back, whatever state the transaction is in; a registry that was not found once is looked for
 * again.
 */
class CommitGateTest {

    private final TransactionSynchronizationRegistry narayana = new TransactionSynchronizationRegistryImple();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<String> discarded = new CopyOnWriteArrayList<>();

    @AfterEach
    void noTransactionLeftBehind() throws Exception {
        if (TransactionManager.transactionManager().getTransaction() != null) {
            TransactionManager.transactionManager().rollback();
        }
    }

    private OutboundTransport.Prepared message(String id) {
        return new OutboundTransport.Prepared() {
            @Override
            public String messageId() {
                return id;
            }

            @Override
            public CompletionStage<Void> send() {
                sent.add(id);
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void discard() {
                discarded.add(id);
            }
        };
    }

    @Test
    void aSendInsideATransactionMarkedRollbackOnlyNeverLeaves() throws Exception {
        CommitGate gate = new CommitGate(() -> Optional.of(narayana));
        TransactionManager.transactionManager().begin();
        TransactionManager.transactionManager().setRollbackOnly();

        CompletableFuture<Void> outcome = gate.sendOrDefer(message("doomed"), "Command Ship doomed");
        assertThat(sent).as("not sent while the transaction is doomed").isEmpty();
        TransactionManager.transactionManager().rollback();

        assertThat(outcome).isCompleted();
        assertThat(sent).isEmpty();
        assertThat(discarded).containsExactly("doomed");
    }

    /**
     * Found on Open Liberty (LibertyOutageIT): storing the outbox row left the caller's transaction marked rollback-only
     * without an exception; the send returned normally, the container's @Transactional rolled back silently, and the
     * REST resource answered 202 for an order that was never stored. The send must fail instead.
     */
    @Test
    void aStoreThatDoomsItsTransactionFailsTheSend() throws Exception {
        CommitGate gate = new CommitGate(() -> Optional.of(narayana));
        TransactionManager.transactionManager().begin();
        OutboundTransport.Prepared dooming = new OutboundTransport.Prepared() {
            @Override
            public String messageId() {
                return "m-2";
            }

            @Override
            public CompletionStage<Void> send() {
                sent.add("m-2");
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void discard() {
                discarded.add("m-2");
            }

            @Override
            public Optional<Runnable> storeInTransaction() {
                try {
                    TransactionManager.transactionManager().setRollbackOnly();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return Optional.of(() -> sent.add("m-2 relayed"));
            }
        };

        CompletableFuture<Void> outcome = gate.sendOrDefer(dooming, "Command Ship m-2");

        assertThat(outcome).isCompletedExceptionally();
        assertThat(outcome.handle((ok, e) -> e).join()).hasMessageContaining("Command Ship m-2")
                .hasMessageContaining("rollback-only");
        TransactionManager.transactionManager().rollback();
        assertThat(sent).isEmpty();
    }

    @Test
    void aSendInsideAnActiveTransactionLeavesAfterTheCommit() throws Exception {
        CommitGate gate = new CommitGate(() -> Optional.of(narayana));
        TransactionManager.transactionManager().begin();
        gate.sendOrDefer(message("m-1"), "Command Ship m-1");
        assertThat(sent).isEmpty();
        TransactionManager.transactionManager().commit();
        assertThat(sent).containsExactly("m-1");
    }

    /** Issue 13, item 11: one failed lookup (a thread without java:comp) turned the gate off for good. */
    @Test
    void aRegistryNotFoundOnceIsLookedForAgain() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        Supplier<Optional<Object>> foundFromTheSecondLookup = () ->
                lookups.incrementAndGet() == 1 ? Optional.empty() : Optional.of(narayana);
        CommitGate gate = new CommitGate(foundFromTheSecondLookup);

        gate.sendOrDefer(message("outside"), "Command Ship outside"); // e.g. on an SDK thread: nothing found
        assertThat(sent).containsExactly("outside");

        TransactionManager.transactionManager().begin();
        gate.sendOrDefer(message("inside"), "Command Ship inside");
        assertThat(sent).as("deferred until the commit, not sent at once").containsExactly("outside");
        TransactionManager.transactionManager().rollback();
        assertThat(sent).containsExactly("outside");
        assertThat(discarded).containsExactly("inside");
    }

    @Test
    void whatStartupDidNotFindIsNotLookedForOnEverySend() {
        AtomicInteger lookups = new AtomicInteger();
        CommitGate gate = new CommitGate(() -> {
            lookups.incrementAndGet();
            return Optional.empty();
        });
        gate.resolveAtStartup();
        gate.sendOrDefer(message("a"), "a");
        gate.sendOrDefer(message("b"), "b");
        assertThat(sent).containsExactly("a", "b");
        assertThat(lookups).hasValue(1);
    }
}
