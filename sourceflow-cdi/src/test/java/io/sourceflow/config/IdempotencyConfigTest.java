package io.sourceflow.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code sourceflow.idempotency.*} keys. */
class IdempotencyConfigTest {

    private static Config config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 500)).build();
    }

    @Test
    void defaultsToTheInMemoryStore() {
        IdempotencySettings settings = SourceFlowConfigReader.read(config(Map.of())).idempotency();
        assertThat(settings.store()).isEqualTo(IdempotencySettings.STORE_MEMORY);
        assertThat(settings.ttl()).isEqualTo(Duration.ofDays(14));
        assertThat(settings.maxEntries()).isEqualTo(100_000);
    }

    @Test
    void jpaStoreAndTheJpaModulesOwnKeysAreAccepted() {
        IdempotencySettings settings = SourceFlowConfigReader.read(config(Map.of(
                "sourceflow.idempotency.store", "JPA",
                "sourceflow.idempotency.jpa.cleanup.interval", "10m"))).idempotency();
        assertThat(settings.store()).isEqualTo(IdempotencySettings.STORE_JPA);
    }

    @Test
    void anUnknownStoreNamesTheKeyAndTheChoices() {
        assertThatThrownBy(() -> SourceFlowConfigReader.read(config(Map.of("sourceflow.idempotency.store", "redis"))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("sourceflow.idempotency.store='redis'")
                .hasMessageContaining("memory or jpa");
    }
}
