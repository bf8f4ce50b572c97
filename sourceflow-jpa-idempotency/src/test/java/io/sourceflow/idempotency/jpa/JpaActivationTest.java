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
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
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

    /**
     * The application's producer, with EclipseLink's behaviour (Open Liberty's JPA provider) put on Hibernate's JTA
     * unit: {@code getTransaction()} on a JTA entity manager marks the active JTA transaction rollback-only before it
     * throws ({@code EntityManagerImpl.getTransaction}: {@code catch (RuntimeException e) { setRollbackOnly(); throw e; }}).
     */
    @ApplicationScoped
    public static class EclipseLinkLikePersistence {
        @Produces
        @ApplicationScoped
        @IdempotencyPersistenceUnit
        EntityManagerFactory emf() {
            return eclipseLinkLike(HibernateSe.jta(new EnlistedDataSource(DB.xaDataSource(), NarayanaJta.transactionManager())));
        }

        void close(@Disposes @IdempotencyPersistenceUnit EntityManagerFactory emf) {
            emf.close();
        }
    }

    private static EntityManagerFactory eclipseLinkLike(EntityManagerFactory hibernate) {
        return (EntityManagerFactory) Proxy.newProxyInstance(JpaActivationTest.class.getClassLoader(),
                new Class<?>[] {EntityManagerFactory.class}, (factory, method, args) -> {
                    Object result = invoke(hibernate, method, args);
                    return result instanceof EntityManager em ? eclipseLinkLike(em) : result;
                });
    }

    private static EntityManager eclipseLinkLike(EntityManager hibernate) {
        return (EntityManager) Proxy.newProxyInstance(JpaActivationTest.class.getClassLoader(),
                new Class<?>[] {EntityManager.class}, (em, method, args) -> {
                    if (method.getName().equals("getTransaction") && method.getParameterCount() == 0) {
                        TransactionManager tm = NarayanaJta.transactionManager();
                        if (tm.getTransaction() != null) {
                            tm.setRollbackOnly();
                        }
                        throw new IllegalStateException("Exception Description: Cannot use an EntityTransaction while "
                                + "using JTA.");
                    }
                    return invoke(hibernate, method, args);
                });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
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

    /**
     * Found on Open Liberty: the runner is made on first use, and when that was inside a transaction (the first
     * request's, which sent into the outbox) finding out whether the unit is JTA marked that transaction rollback-only
     * without an exception, and its {@code @Transactional} rolled it back silently.
     */
    @Test
    void findingOutThatTheUnitIsJtaInsideATransactionLeavesThatTransactionAlone() {
        withContainer(Map.of("sourceflow.idempotency.store", "jpa",
                "sourceflow.idempotency.jpa.cleanup.interval", "1h"), container -> {
            TransactionManager tm = NarayanaJta.transactionManager();
            try {
                tm.begin();
                try {
                    TransactionRunner runner = container.select(TransactionRunner.class,
                            IdempotencyPersistenceUnit.Literal.INSTANCE).get();
                    assertThat(runner.joinsCallerTransactions()).as("a JTA unit").isTrue();
                    assertThat(tm.getStatus()).as("the caller's transaction, after the runner was made in it")
                            .isEqualTo(Status.STATUS_ACTIVE);
                } finally {
                    tm.rollback();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, EclipseLinkLikePersistence.class);
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
