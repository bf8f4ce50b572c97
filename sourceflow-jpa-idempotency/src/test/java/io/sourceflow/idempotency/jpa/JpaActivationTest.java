package io.sourceflow.idempotency.jpa;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.sourceflow.spi.Claim;
import io.sourceflow.spi.ClaimOutcome;
import io.sourceflow.spi.IdempotencyStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.TransactionManager;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Activation through CDI as in a server: the jar's extension, MicroProfile Config, the application's producer of the
 * {@link IdempotencyPersistenceUnit} factory, and real {@code @Transactional} interceptors (Narayana's) driving
 * {@link ContainerTransactionRunner}, on the machine's PostgreSQL (the database-specific behaviour is covered on both
 * databases by {@link JpaIdempotencyStoreContract}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JpaActivationTest {

    private static final TestDatabase DB = TestDatabase.POSTGRESQL;

    /** The application's producer, as a user writes it (with @PersistenceUnit in a server). */
    @ApplicationScoped
    public static class ApplicationPersistence {
        @Produces
        @ApplicationScoped
        @IdempotencyPersistenceUnit
        EntityManagerFactory emf() {
            return HibernateSe.jta(new EnlistedDataSource(DB.xaDataSource(), NarayanaJta.transactionManager()));
        }

        void close(@Disposes @IdempotencyPersistenceUnit EntityManagerFactory emf) {
            emf.close();
        }
    }

    /** Any bean of the application; Weld SE wants one. */
    @ApplicationScoped
    public static class SomeApplicationBean {
    }

    @BeforeAll
    void database() {
        DB.requireAndCreateSchema();
        NarayanaJta.transactionManager();
    }

    @Test
    void storeJpaMakesTheJpaStoreTheIdempotencyStoreBeanAndJoinsTheCallersTransaction() {
        withContainer(Map.of("sourceflow.idempotency.store", "jpa",
                "sourceflow.idempotency.jpa.cleanup.interval", "1h"), container -> {
            IdempotencyStore store = container.select(IdempotencyStore.class).get();
            String consumer = "activation-" + UUID.randomUUID();
            Claim claim = store.claim(consumer, "m1", Duration.ofSeconds(30));
            assertThat(claim.outcome()).isEqualTo(ClaimOutcome.CLAIMED);
            assertThat(store.claim(consumer, "m1", Duration.ofSeconds(30)).outcome())
                    .isEqualTo(ClaimOutcome.HELD_ELSEWHERE);
            assertThat(DB.count("select count(*) from sourceflow_processed_message where consumer = '" + consumer
                    + "' and status = 'CLAIMED'")).isEqualTo(1);

            TransactionManager tm = NarayanaJta.transactionManager();
            try {
                tm.begin();
                store.complete(claim, Duration.ofDays(1));
                tm.rollback();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertThat(DB.count("select count(*) from sourceflow_processed_message where consumer = '" + consumer
                    + "' and status = 'DONE'")).as("the mark joined the caller's transaction and rolled back").isZero();

            store.complete(claim, Duration.ofDays(1));
            assertThat(store.claim(consumer, "m1", Duration.ofSeconds(30)).outcome())
                    .isEqualTo(ClaimOutcome.ALREADY_DONE);
        }, ApplicationPersistence.class);
    }

    @Test
    void withoutTheKeyTheJarAddsNoStore() {
        withContainer(Map.of(), container ->
                assertThat(container.select(IdempotencyStore.class).isUnsatisfied()).isTrue());
    }

    @Test
    void storeJpaWithoutAPersistenceUnitFailsTheDeploymentSayingWhatToAdd() {
        assertThatThrownBy(() -> withContainer(Map.of("sourceflow.idempotency.store", "jpa"), container -> { }))
                .hasStackTraceContaining("@IdempotencyPersistenceUnit")
                .hasStackTraceContaining("ProcessedMessage");
    }

    private static void withContainer(Map<String, String> properties, Consumer<WeldContainer> test, Class<?>... beans) {
        ClassLoader parent = Thread.currentThread().getContextClassLoader();
        ClassLoader deployment = new URLClassLoader("deployment-" + UUID.randomUUID(), new URL[0], parent);
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.copyOf(properties), "test", 500))
                .addDefaultInterceptors()
                .build();
        ConfigProviderResolver.instance().registerConfig(config, deployment);
        Thread.currentThread().setContextClassLoader(deployment);
        try (WeldContainer container = new Weld("activation-" + UUID.randomUUID()).disableDiscovery()
                .addExtension(new JpaIdempotencyExtension())
                .addExtension(new com.arjuna.ats.jta.cdi.TransactionExtension())
                .addBeanClasses(SomeApplicationBean.class).addBeanClasses(beans).initialize()) {
            test.accept(container);
        } finally {
            Thread.currentThread().setContextClassLoader(parent);
            ConfigProviderResolver.instance().releaseConfig(config);
        }
    }
}
