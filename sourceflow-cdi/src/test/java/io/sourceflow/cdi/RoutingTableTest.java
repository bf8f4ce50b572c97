package io.sourceflow.cdi;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.EntityKey;
import io.sourceflow.Event;
import io.sourceflow.Handles;
import io.sourceflow.InvalidMessageTypeException;
import io.sourceflow.MessageType;
import io.sourceflow.RaiseTo;
import io.sourceflow.SendTo;
import io.sourceflow.core.HandlerRegistry;
import io.sourceflow.core.Route;
import io.sourceflow.testing.CdiContainer;
import jakarta.enterprise.context.ApplicationScoped;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Routes, logical names and entity keys as the registry derives them from annotations and configuration. */
class RoutingTableTest {

    @SendTo("orders")
    public record PlaceOrder(@EntityKey String orderId) implements Command {}
    @RaiseTo("order-events")
    @MessageType("orders.OrderPlaced")
    public record OrderPlaced(String orderId) implements Event {}
    public record Local(String id) implements Command {}

    public static final class Refund implements Command {
        @EntityKey private final long paymentId;
        public Refund(long paymentId) { this.paymentId = paymentId; }
    }

    public static final class Audit implements Event {
        private final String area;
        public Audit(String area) { this.area = area; }
        @EntityKey public String key() { return "area-" + area; }
    }

    @SendTo("")
    public record SendOnlyBlank() implements Command {}
    @MessageType("orders.OrderPlaced")
    public record Impostor() implements Event {}

    @jakarta.inject.Singleton
    public static class Handled {
        final java.util.List<Object> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
    }

    @ApplicationScoped
    public static class Handlers {
        @jakarta.inject.Inject Handled handled;
        void on(@Handles PlaceOrder c) { handled.messages.add(c); }
        void on(@Handles OrderPlaced e) {}
        void on(@Handles Local c) {}
    }

    /** Registry tests need no AWS: with routing and listening off, routed types stay in-process. */
    private static Map<String, String> withLocalOnly(String... keyValues) {
        Map<String, String> config = new java.util.HashMap<>(LOCAL_ONLY);
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put(keyValues[i], keyValues[i + 1]);
        }
        return config;
    }

    private static final Map<String, String> LOCAL_ONLY = Map.of(
            "sourceflow.aws.command-routing.enabled", "false", "sourceflow.aws.event-routing.enabled", "false",
            "sourceflow.aws.command-listener.enabled", "false", "sourceflow.aws.event-listener.enabled", "false");

    @Test
    void configurationWinsOverAnnotations() {
        try (CdiContainer container = CdiContainer.start(withLocalOnly(
                "sourceflow.routes.commands.PlaceOrder", "https://sqs.eu-west-1.amazonaws.com/111122223333/orders.fifo",
                "sourceflow.routes.events.orders.OrderPlaced", "audit-events",
                "sourceflow.routes.commands.SomethingOnlySent", "elsewhere"), Handlers.class, Handled.class)) {
            HandlerRegistry registry = container.select(HandlerRegistry.class);

            Route command = registry.describe(PlaceOrder.class).route().orElseThrow();
            assertThat(command.destination()).isEqualTo("https://sqs.eu-west-1.amazonaws.com/111122223333/orders.fifo");
            assertThat(command.fifo()).isTrue();
            assertThat(command.fromConfiguration()).isTrue();

            Route event = registry.describe(OrderPlaced.class).route().orElseThrow();
            assertThat(event.destination()).isEqualTo("audit-events");
            assertThat(event.fifo()).isFalse();
        }
    }

    @Test
    void annotationsRouteWhenConfigurationIsSilent() {
        try (CdiContainer container = CdiContainer.start(LOCAL_ONLY, Handlers.class, Handled.class)) {
            HandlerRegistry registry = container.select(HandlerRegistry.class);
            assertThat(registry.describe(PlaceOrder.class).route()).contains(new Route("orders", false, false));
            assertThat(registry.describe(OrderPlaced.class).route()).contains(new Route("order-events", false, false));
            assertThat(registry.describe(Local.class).route()).isEmpty();
            assertThat(registry.describe(OrderPlaced.class).logicalName()).isEqualTo("orders.OrderPlaced");
            assertThat(registry.describe(Local.class).logicalName()).isEqualTo("Local");
        }
    }

    @Test
    void entityKeysFromRecordComponentsFieldsAndMethods() {
        try (CdiContainer container = CdiContainer.start(LOCAL_ONLY, Handlers.class, Handled.class)) {
            HandlerRegistry registry = container.select(HandlerRegistry.class);
            assertThat(registry.describe(PlaceOrder.class).entityKeyOf(new PlaceOrder("o-9"))).contains("o-9");
            assertThat(registry.describe(PlaceOrder.class).entityKeyOf(new PlaceOrder(null))).isEmpty();
            assertThat(registry.describe(Refund.class).entityKeyOf(new Refund(42L))).contains("42");
            assertThat(registry.describe(Audit.class).entityKeyOf(new Audit("eu"))).contains("area-eu");
            assertThat(registry.describe(Local.class).entityKeyOf(new Local("x"))).isEmpty();
        }
    }

    @Test
    void aSendOnlyTypeIsCheckedAtItsFirstSend() {
        try (CdiContainer container = CdiContainer.start(LOCAL_ONLY, Handlers.class, Handled.class)) {
            CommandBus bus = container.select(CommandBus.class);
            assertThatThrownBy(() -> bus.send(new SendOnlyBlank()))
                    .isInstanceOf(InvalidMessageTypeException.class).hasMessageContaining("blank queue name");
            HandlerRegistry registry = container.select(HandlerRegistry.class);
            assertThatThrownBy(() -> registry.describe(Impostor.class))
                    .isInstanceOf(InvalidMessageTypeException.class)
                    .hasMessageContaining("'orders.OrderPlaced' is used by both");
        }
    }

    @Test
    void disabledCommandRoutingDeliversInProcess() {
        try (CdiContainer container = CdiContainer.start(Map.of("sourceflow.aws.command-routing.enabled", "false", "sourceflow.aws.command-listener.enabled", "false",
                "sourceflow.aws.event-routing.enabled", "false", "sourceflow.aws.event-listener.enabled", "false"), Handlers.class, Handled.class)) {
            container.select(CommandBus.class).send(new PlaceOrder("o-1"));
            assertThat(container.select(Handled.class).messages).containsExactly(new PlaceOrder("o-1"));
        }
    }
}
