package io.sourceflow.idempotency.jpa;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.persistence.EntityManagerFactory;
import org.eclipse.microprofile.config.ConfigProvider;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Locale;

/**
 * Activates the JPA idempotency store: when {@code sourceflow.idempotency.store=jpa}, it adds
 * {@link JpaIdempotencyBeans} (the {@code IdempotencyStore} bean), {@link ContainerTransactionRunner} and
 * {@link JpaIdempotencyCleanupScheduler}, and fails the deployment if no {@link IdempotencyPersistenceUnit}
 * {@code EntityManagerFactory} is there. Otherwise the jar adds nothing, and SourceFlow keeps its in-memory store.
 */
public final class JpaIdempotencyExtension implements Extension {

    /** The configuration key (read by the core as well). */
    public static final String STORE_KEY = "sourceflow.idempotency.store";

    static final String MISSING_EMF = STORE_KEY + "=jpa needs the EntityManagerFactory of a persistence unit that "
            + "lists io.sourceflow.idempotency.jpa.ProcessedMessage. Produce it with a qualifier, e.g. "
            + "'@Produces @IdempotencyPersistenceUnit @PersistenceUnit(unitName = \"orders\") EntityManagerFactory emf;' "
            + "in an @ApplicationScoped bean (see the sourceflow-jpa-idempotency README)";

    private static final System.Logger LOG = System.getLogger(JpaIdempotencyExtension.class.getName());
    private static final List<Class<?>> BEANS = List.of(JpaIdempotencyBeans.class, ContainerTransactionRunner.class,
            JpaIdempotencyCleanupScheduler.class);

    private boolean active;

    void addBeans(@Observes BeforeBeanDiscovery event, BeanManager beanManager) {
        try {
            active = ConfigProvider.getConfig().getOptionalValue(STORE_KEY, String.class)
                    .map(v -> v.trim().toLowerCase(Locale.ROOT)).filter("jpa"::equals).isPresent();
        } catch (IllegalStateException | NoClassDefFoundError e) {
            active = false; // no MicroProfile Config: the SourceFlow extension reports that as a deployment problem
        }
        if (!active) {
            LOG.log(Level.DEBUG, () -> "sourceflow-jpa-idempotency is present but " + STORE_KEY + " is not 'jpa': inactive");
            return;
        }
        for (Class<?> type : BEANS) {
            event.addAnnotatedType(beanManager.createAnnotatedType(type),
                    JpaIdempotencyExtension.class.getName() + "#" + type.getName());
        }
    }

    void requirePersistenceUnit(@Observes AfterDeploymentValidation event, BeanManager beanManager) {
        if (active && beanManager.getBeans(EntityManagerFactory.class, IdempotencyPersistenceUnit.Literal.INSTANCE).isEmpty()) {
            event.addDeploymentProblem(new IllegalStateException(MISSING_EMF));
        }
    }
}
