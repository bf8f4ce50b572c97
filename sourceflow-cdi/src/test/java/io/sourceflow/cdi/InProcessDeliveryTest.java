package io.sourceflow.cdi;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.EntityKey;
import io.sourceflow.Event;
import io.sourceflow.EventPublisher;
import io.sourceflow.HandlerFailedException;
import io.sourceflow.Handles;
import io.sourceflow.MessageContext;
import io.sourceflow.MessageType;
import io.sourceflow.NoHandlerException;
import io.sourceflow.testing.CdiContainer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InProcessDeliveryTest {

    // ---- message types ----
    public record PlaceOrder(@EntityKey String orderId, String customer) implements Command {}
    public record FailingCommand(String reason) implements Command {}
    public record CheckedFailingCommand() implements Command {}
    public record Unhandled() implements Command {}
    public record AsyncCommand(String id) implements Command {}
    public record ScopedCommand(String id) implements Command {}
    public record DependentCommand(String id) implements Command {}
    @MessageType("order-placed.v1")
    public record OrderPlaced(String orderId) implements Event {}
    public record NobodyListens() implements Event {}
    public record RaiseThenFail(String orderId) implements Command {}
    public record BrokenEvent() implements Event {}

    // ---- beans ----
    @jakarta.inject.Singleton
    public static class Journal {
        final List<String> entries = new CopyOnWriteArrayList<>();
        final List<MessageContext> contexts = new CopyOnWriteArrayList<>();
        final AtomicInteger destroyed = new AtomicInteger();
        volatile CompletableFuture<Void> asyncGate = new CompletableFuture<>();
        void add(String entry) { entries.add(entry); }
    }

    @RequestScoped
    public static class PerRequest {
        private final String id = UUID.randomUUID().toString();
        String id() { return id; }
    }

    @ApplicationScoped
    public static class OrderSaga {
        @Inject Journal journal;
        @Inject EventPublisher events;
        @Inject PerRequest perRequest;

        // package-private on purpose: handlers are called through the client proxy
        void on(@Handles PlaceOrder command, MessageContext context) {
            journal.contexts.add(context);
            events.raise(new OrderPlaced(command.orderId()));
            journal.add("handled " + command.orderId());
        }

        public void on(@Handles FailingCommand command) {
            throw new IllegalStateException("boom: " + command.reason());
        }

        public void on(@Handles CheckedFailingCommand command) throws IOException {
            throw new IOException("disk on fire");
        }

        public CompletionStage<Void> on(@Handles AsyncCommand command) {
            return journal.asyncGate.thenRun(() -> journal.add("async " + command.id()));
        }

        public void on(@Handles ScopedCommand command) {
            journal.add("request " + perRequest.id());
        }

        public void on(@Handles RaiseThenFail command) {
            events.raise(new OrderPlaced(command.orderId()));
            throw new IllegalArgumentException("rejected " + command.orderId());
        }
    }

    @ApplicationScoped
    public static class OrderView {
        @Inject Journal journal;

        public void on(@Handles OrderPlaced event, MessageContext context) {
            journal.add("view " + event.orderId() + " as " + context.messageType());
        }

        public void on(@Handles BrokenEvent event) {
            throw new IllegalStateException("view broken");
        }
    }

    @ApplicationScoped
    public static class OrderAudit {
        @Inject Journal journal;

        public void on(@Handles OrderPlaced event) {
            journal.add("audit " + event.orderId());
        }

        public void on(@Handles BrokenEvent event) {
            journal.add("audit broken");
            throw new UnsupportedOperationException("audit broken too");
        }
    }

    @Dependent
    public static class DependentHandler {
        @Inject Journal journal;

        public void on(@Handles DependentCommand command) {
            journal.add("dependent " + command.id());
        }

        @PreDestroy
        void destroyed() {
            journal.destroyed.incrementAndGet();
        }
    }

    private CdiContainer container;
    private CommandBus bus;
    private EventPublisher events;
    private Journal journal;

    @BeforeEach
    void start() {
        container = CdiContainer.start(Map.of(), Journal.class, PerRequest.class, OrderSaga.class, OrderView.class,
                OrderAudit.class, DependentHandler.class);
        bus = container.select(CommandBus.class);
        events = container.select(EventPublisher.class);
        journal = container.select(Journal.class);
    }

    @AfterEach
    void stop() {
        container.close();
    }

    @Test
    void commandGoesToItsOneHandlerAndItsEventsToEveryHandlerAfterward() {
        bus.send(new PlaceOrder("o-1", "alice"));

        // the event handlers ran only after the command handler returned
        assertThat(journal.entries).hasSize(3);
        assertThat(journal.entries.get(0)).isEqualTo("handled o-1");
        assertThat(journal.entries.subList(1, 3)).containsExactlyInAnyOrder("view o-1 as order-placed.v1", "audit o-1");
        MessageContext context = journal.contexts.get(0);
        assertThat(context.messageType()).isEqualTo("PlaceOrder");
        assertThat(context.entityKey()).contains("o-1");
        assertThat(context.receiveCount()).isEqualTo(1);
        assertThat(context.destination()).isEqualTo("in-process");
        assertThat(context.messageId()).isNotBlank();
        assertThat(context.sentAt()).isNotNull();
    }

    @Test
    void eventReachesEveryHandler() {
        events.raise(new OrderPlaced("o-2"));
        assertThat(journal.entries).containsExactlyInAnyOrder("view o-2 as order-placed.v1", "audit o-2");
    }

    @Test
    void eventWithoutHandlersIsAcceptedQuietly() {
        events.raise(new NobodyListens());
        assertThat(journal.entries).isEmpty();
    }

    @Test
    void everyEventHandlerRunsAndTheFirstFailureReachesTheCaller() {
        assertThatThrownBy(() -> events.raise(new BrokenEvent()))
                .isInstanceOf(RuntimeException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
        assertThat(journal.entries).containsExactly("audit broken");
    }

    @Test
    void commandWithoutHandlerOrRouteFailsWithClearMessage() {
        assertThatThrownBy(() -> bus.send(new Unhandled()))
                .isInstanceOf(NoHandlerException.class)
                .hasMessageContaining("Unhandled")
                .hasMessageContaining("@SendTo")
                .hasMessageContaining("sourceflow.routes.commands.Unhandled");
        assertThat(bus.sendAsync(new Unhandled())).isCompletedExceptionally();
    }

    @Test
    void handlerExceptionReachesTheCaller() {
        assertThatThrownBy(() -> bus.send(new FailingCommand("no stock")))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("boom: no stock");
        assertThatThrownBy(() -> bus.send(new CheckedFailingCommand()))
                .isInstanceOf(HandlerFailedException.class)
                .hasCauseInstanceOf(IOException.class);
    }

    @Test
    void eventsRaisedInAFailingHandlerAreNeverDelivered() {
        assertThatThrownBy(() -> bus.send(new RaiseThenFail("o-3"))).hasMessage("rejected o-3");
        assertThat(journal.entries).isEmpty();
    }

    @Test
    void asyncHandlerCompletesTheStageWhenItsOwnStageCompletes() throws Exception {
        CompletableFuture<Void> sent = bus.sendAsync(new AsyncCommand("a-1")).toCompletableFuture();
        assertThat(sent).isNotDone();
        journal.asyncGate.complete(null);
        sent.get(10, TimeUnit.SECONDS);
        assertThat(journal.entries).containsExactly("async a-1");
    }

    @Test
    void blockingSendWaitsForAnAsyncHandler() throws Exception {
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> bus.send(new AsyncCommand("a-2")));
        assertThat(sender).isNotDone();
        journal.asyncGate.complete(null);
        sender.get(10, TimeUnit.SECONDS);
        assertThat(journal.entries).containsExactly("async a-2");
    }

    @Test
    void requestContextIsActiveAndFreshInEachHandlerCall() {
        bus.send(new ScopedCommand("s-1"));
        bus.send(new ScopedCommand("s-2"));
        assertThat(journal.entries).hasSize(2);
        assertThat(journal.entries.get(0)).startsWith("request ");
        assertThat(journal.entries.get(0)).isNotEqualTo(journal.entries.get(1));
    }

    @Test
    void dependentHandlerBeanIsDestroyedAfterEachMessage() {
        bus.send(new DependentCommand("d-1"));
        bus.send(new DependentCommand("d-2"));
        assertThat(journal.entries).containsExactly("dependent d-1", "dependent d-2");
        assertThat(journal.destroyed).hasValue(2);
    }

    @Test
    void nullMessagesAreRejected() {
        assertThatThrownBy(() -> bus.send(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("command");
        assertThatThrownBy(() -> events.raise(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("event");
    }
}
