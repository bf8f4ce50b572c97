package io.sourceflow.cdi;

import io.sourceflow.Command;
import io.sourceflow.EntityKey;
import io.sourceflow.Event;
import io.sourceflow.Handles;
import io.sourceflow.MessageContext;
import io.sourceflow.MessageType;
import io.sourceflow.RaiseTo;
import io.sourceflow.SendTo;
import io.sourceflow.core.HandlerRegistry;
import io.sourceflow.testing.CdiContainer;
import jakarta.enterprise.context.ApplicationScoped;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every declaration mistake stops the deployment with a message that names the class and method. */
class DeploymentValidationTest {

    public record Ship(String id) implements Command {}
    public record Shipped(String id) implements Event {}
    public record NotAMessage(String id) {}
    @SendTo("  ")
    public record BlankQueue(String id) implements Command {}
    @RaiseTo("")
    public record BlankTopic(String id) implements Event {}
    @SendTo("orders.fifo")
    public record FifoWithoutKey(String id) implements Command {}
    @SendTo("orders.fifo")
    public record FifoWithKey(@EntityKey String id) implements Command {}
    public record PlainCommand(String id) implements Command {}
    @MessageType("Same")
    public record First(String id) implements Event {}
    @MessageType("Same")
    public record Second(String id) implements Event {}
    public record TwoKeys(@EntityKey String a, @EntityKey String b) implements Command {}
    public record Both() implements Command, Event {}
    @RaiseTo("topic")
    public record CommandWithRaiseTo() implements Command {}

    @ApplicationScoped public static class ShipHandlerA { void on(@Handles Ship c) {} }
    @ApplicationScoped public static class ShipHandlerB { void on(@Handles Ship c) {} }
    @ApplicationScoped public static class NotAMessageHandler { void on(@Handles NotAMessage m) {} }
    @ApplicationScoped public static class ExtraParameter { void on(@Handles Shipped e, String extra) {} }
    @ApplicationScoped public static class HandlesSecond { void on(MessageContext c, @Handles Shipped e) {} }
    @ApplicationScoped public static class WrongReturn { String on(@Handles Shipped e) { return "x"; } }
    @ApplicationScoped public static class PrivateHandler { private void on(@Handles Shipped e) {} }
    @ApplicationScoped public static class BlankQueueHandler { void on(@Handles BlankQueue c) {} }
    @ApplicationScoped public static class BlankTopicHandler { void on(@Handles BlankTopic e) {} }
    @ApplicationScoped public static class FifoWithoutKeyHandler { void on(@Handles FifoWithoutKey c) {} }
    @ApplicationScoped public static class FifoWithKeyHandler { void on(@Handles FifoWithKey c) {} }
    @ApplicationScoped public static class PlainCommandHandler { void on(@Handles PlainCommand c) {} }
    @ApplicationScoped public static class SameNameHandlers { void on(@Handles First e) {} void on(@Handles Second e) {} }
    @ApplicationScoped public static class TwoKeysHandler { void on(@Handles TwoKeys c) {} }
    @ApplicationScoped public static class BothHandler { void on(@Handles Both c) {} }
    @ApplicationScoped public static class RaiseToHandler { void on(@Handles CommandWithRaiseTo c) {} }
    @ApplicationScoped public static class AsyncAndContext {
        CompletionStage<Void> on(@Handles Shipped e, MessageContext c) { return null; }
    }
    @ApplicationScoped public static class ShippedHandler { void on(@Handles Shipped e) {} }

    private static void assertDeploymentFails(Map<String, String> config, Class<?> bean, String... fragments) {
        assertThatThrownBy(() -> CdiContainer.start(config, bean).close())
                .satisfies(e -> assertThat(fullMessage(e)).contains(fragments));
    }

    private static void assertDeploymentFails(Class<?> bean, String... fragments) {
        assertDeploymentFails(Map.of(), bean, fragments);
    }

    private static String fullMessage(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append('\n');
        }
        return text.toString();
    }

    @Test
    void commandWithTwoHandlers() {
        assertThatThrownBy(() -> CdiContainer.start(Map.of(), ShipHandlerA.class, ShipHandlerB.class).close())
                .satisfies(e -> assertThat(fullMessage(e)).contains("Command Ship", "has 2 handlers",
                        "ShipHandlerA.on(Ship)", "ShipHandlerB.on(Ship)"));
    }

    /** Without a store the outbox would silently store nothing; the deployment says what to add instead. */
    @Test
    void theOutboxWithoutAStore() {
        assertThatThrownBy(() -> CdiContainer.start(Map.of("sourceflow.outbox.enabled", "true"), ShipHandlerA.class).close())
                .satisfies(e -> assertThat(fullMessage(e)).contains("sourceflow.outbox.enabled=true",
                        "no OutboxStore bean", "sourceflow-jpa-idempotency"));
    }

    @Test
    void handlesOnSomethingThatIsNoMessage() {
        assertDeploymentFails(NotAMessageHandler.class, "NotAMessageHandler.on(NotAMessage)",
                "is neither a io.sourceflow.Command nor a io.sourceflow.Event");
    }

    @Test
    void unsupportedExtraParameter() {
        assertDeploymentFails(ExtraParameter.class, "ExtraParameter.on(Shipped, String)", "unsupported parameter(s) String");
    }

    @Test
    void handlesNotOnTheFirstParameter() {
        assertDeploymentFails(HandlesSecond.class, "HandlesSecond.on(MessageContext, Shipped)", "must be on the first parameter");
    }

    @Test
    void unsupportedReturnType() {
        assertDeploymentFails(WrongReturn.class, "WrongReturn.on(Shipped)", "returns java.lang.String");
    }

    @Test
    void privateHandler() {
        assertDeploymentFails(PrivateHandler.class, "PrivateHandler.on(Shipped)", "must not be private");
    }

    @Test
    void duplicateLogicalNames() {
        assertDeploymentFails(SameNameHandlers.class, "Logical type name 'Same'", First.class.getName(), Second.class.getName());
    }

    @Test
    void blankQueueAndTopicNames() {
        assertDeploymentFails(BlankQueueHandler.class, "@SendTo on " + BlankQueue.class.getName(), "blank queue name");
        assertDeploymentFails(BlankTopicHandler.class, "@RaiseTo on " + BlankTopic.class.getName(), "blank topic name");
    }

    @Test
    void fifoQueueWithoutEntityKey() {
        assertDeploymentFails(FifoWithoutKeyHandler.class, FifoWithoutKey.class.getName(), "FIFO queue orders.fifo", "@EntityKey");
    }

    @Test
    void fifoQueueFromConfigurationWithoutEntityKey() {
        assertDeploymentFails(Map.of("sourceflow.routes.commands.PlainCommand", "payments.fifo"), PlainCommandHandler.class,
                PlainCommand.class.getName(), "FIFO queue payments.fifo");
    }

    @Test
    void twoEntityKeys() {
        assertDeploymentFails(TwoKeysHandler.class, "has 2 @EntityKey members");
    }

    @Test
    void commandAndEventAtOnce() {
        assertDeploymentFails(BothHandler.class, "implements both Command and Event");
    }

    @Test
    void raiseToOnACommand() {
        assertDeploymentFails(RaiseToHandler.class, "@RaiseTo on command", "use @SendTo");
    }

    @Test
    void routeOverrideUnderTheWrongKind() {
        assertDeploymentFails(Map.of("sourceflow.routes.commands.Shipped", "q"), ShippedHandler.class,
                "sourceflow.routes.commands.Shipped", "is an event", "sourceflow.routes.events.Shipped");
    }

    @Test
    void unknownConfigurationKeyIsNamedWithASuggestion() {
        assertDeploymentFails(Map.of("sourceflow.aws.max-recieve-count", "3"), ShippedHandler.class,
                "sourceflow.aws.max-recieve-count: unknown SourceFlow key", "did you mean sourceflow.aws.max-receive-count?");
    }

    @Test
    void invalidConfigurationValuesAreAllNamed() {
        assertDeploymentFails(Map.of("sourceflow.aws.max-concurrent-messages", "lots",
                        "sourceflow.aws.visibility-timeout", "forever",
                        "sourceflow.aws.provisioning", "sometimes",
                        "sourceflow.aws.encryption.enabled", "true"), ShippedHandler.class,
                "sourceflow.aws.max-concurrent-messages='lots'", "sourceflow.aws.visibility-timeout='forever'",
                "sourceflow.aws.provisioning='sometimes'", "sourceflow.aws.encryption.kms-key-id: required");
    }

    /** Issue 13, item 3: a wait time under a second made an idle queue cost hundreds of receives a second. */
    @Test
    void aWaitTimeUnderOneSecondIsRejectedBecauseItWouldBusyPoll() {
        assertDeploymentFails(Map.of("sourceflow.aws.wait-time", "0s"), ShippedHandler.class,
                "sourceflow.aws.wait-time='0s': must be between 1s and 20s");
        assertDeploymentFails(Map.of("sourceflow.aws.wait-time", "500ms"), ShippedHandler.class,
                "sourceflow.aws.wait-time='500ms': must be between 1s and 20s");
    }

    @Test
    void validDeploymentsStart() {
        try (CdiContainer container = CdiContainer.start(Map.of("sourceflow.aws.command-routing.enabled", "false",
                "sourceflow.aws.command-listener.enabled", "false"), FifoWithKeyHandler.class, AsyncAndContext.class)) {
            HandlerRegistry registry = container.select(HandlerRegistry.class);
            assertThat(registry.byLogicalName("FifoWithKey")).isPresent();
            assertThat(registry.byLogicalName("Shipped")).isPresent();
            assertThat(registry.byLogicalName(FifoWithKey.class.getName())).as("Java class names are not logical names").isEmpty();
        }
    }
}
