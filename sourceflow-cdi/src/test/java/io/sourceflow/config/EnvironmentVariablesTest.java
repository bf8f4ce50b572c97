package io.sourceflow.config;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.sourceflow.Command;
import io.sourceflow.Handles;
import io.sourceflow.SendTo;
import io.sourceflow.core.HandlerRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Operators override keys with environment variables ({@code SOURCEFLOW_AWS_SHUTDOWN_TIMEOUT}), and servers list
 * such names in other forms ({@code sourceflow.aws.shutdown.timeout}): neither may count as an unknown key.
 */
class EnvironmentVariablesTest {

    @SendTo("annotated-queue")
    public record PlaceOrder(String id) implements Command {}

    @ApplicationScoped
    public static class Handler {
        void on(@Handles PlaceOrder command) {}
    }

    private static SmallRyeConfig config(Map<String, String> environment, Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(environment, 300))
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build();
    }

    @Test
    void environmentVariablesSetKnownKeys() {
        SourceFlowConfig read = SourceFlowConfigReader.read(config(Map.of(
                "SOURCEFLOW_AWS_MAX_CONCURRENT_MESSAGES", "7",
                "SOURCEFLOW_AWS_SHUTDOWN_TIMEOUT", "12s",
                "SOURCEFLOW_SERVICE_NAME", "from-env"), Map.of()));
        assertThat(read.aws().maxConcurrentMessages()).isEqualTo(7);
        assertThat(read.aws().shutdownTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(read.serviceName()).contains("from-env");
    }

    @Test
    void namesListedInTheDottedLowerCaseFormAreKnownKeys() {
        // how Open Liberty lists SOURCEFLOW_AWS_COMMAND_ROUTING_ENABLED
        SourceFlowConfig read = SourceFlowConfigReader.read(config(Map.of(), Map.of(
                "sourceflow.aws.command.routing.enabled", "false")));
        assertThat(read).isNotNull();
    }

    @Test
    void unknownKeysAreStillRejectedInEveryForm() {
        assertThatThrownBy(() -> SourceFlowConfigReader.read(config(Map.of("SOURCEFLOW_AWS_MAX_CONCURENT", "7"), Map.of())))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("unknown SourceFlow key");
    }

    @Test
    void aRouteFromAnEnvironmentVariableWinsOverTheAnnotation() {
        SmallRyeConfig config = config(Map.of("SOURCEFLOW_ROUTES_COMMANDS_PLACEORDER", "env-queue",
                "SOURCEFLOW_AWS_COMMAND_LISTENER_ENABLED", "false", "SOURCEFLOW_AWS_COMMAND_ROUTING_ENABLED", "false"), Map.of());
        ClassLoader parent = Thread.currentThread().getContextClassLoader();
        ClassLoader loader = new URLClassLoader(new URL[0], parent);
        ConfigProviderResolver.instance().registerConfig(config, loader);
        Thread.currentThread().setContextClassLoader(loader);
        try (WeldContainer container = new Weld("env-" + System.nanoTime()).disableDiscovery().addBeanClasses(Handler.class)
                .addExtension(new io.sourceflow.cdi.SourceFlowExtension()).initialize()) {
            HandlerRegistry registry = container.select(HandlerRegistry.class).get();
            assertThat(registry.describe(PlaceOrder.class).route().orElseThrow().destination()).isEqualTo("env-queue");
        } finally {
            Thread.currentThread().setContextClassLoader(parent);
            ConfigProviderResolver.instance().releaseConfig(config);
        }
    }
}
