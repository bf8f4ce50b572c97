package io.sourceflow.idempotency.jpa;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.persistence.EntityManagerFactory;
import org.eclipse.microprofile.config.ConfigProvider;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Locale;

/**
 * Activates what {@code sourceflow-jpa-idempotency} offers, each by its key: with
 * {@code sourceflow.idempotency.store=jpa} the idempotency store ({@link JpaStoreBeans.Idempotency}) and its cleanup
 * ({@link JpaIdempotencyCleanupScheduler}); with {@code sourceflow.outbox.enabled=true} the transactional outbox
 * ({@link JpaStoreBeans.Outbox}); with either, the persistence unit's transactions ({@link JpaIdempotencyBeans},
 * {@link ContainerTransactionRunner}), and it fails the deployment if no {@link IdempotencyPersistenceUnit}
 * {@code EntityManagerFactory} is there. Otherwise the jar adds nothing, and SourceFlow keeps its in-memory store.
 */
public final class JpaIdempotencyExtension implements Extension {

    /** The configuration key (read by the core as well). */
    public static final String STORE_KEY = "sourceflow.idempotency.store";
    /** The outbox's key (read by the core as well). */
    public static final String OUTBOX_KEY = "sourceflow.outbox.enabled";

    static final String MISSING_EMF = STORE_KEY + "=jpa and " + OUTBOX_KEY + "=true need the EntityManagerFactory of "
            + "a persistence unit that lists io.sourceflow.idempotency.jpa.ProcessedMessage and OutboxRecord. Produce it "
            + "with a qualifier, e.g. '@Produces @IdempotencyPersistenceUnit @PersistenceUnit(unitName = \"orders\") "
            + "EntityManagerFactory emf;' in an @ApplicationScoped bean (see the sourceflow-jpa-idempotency README)";

    private static final System.Logger LOG = System.getLogger(JpaIdempotencyExtension.class.getName());

    private boolean active;

    void addBeans(@Observes BeforeBeanDiscovery event, BeanManager beanManager) {
        boolean store = value(STORE_KEY).filter("jpa"::equals).isPresent();
        boolean outbox = value(OUTBOX_KEY).filter("true"::equals).isPresent();
        active = store || outbox;
        if (!active) {
            LOG.log(Level.DEBUG, () -> "sourceflow-jpa-idempotency is present but neither " + STORE_KEY + "=jpa nor "
                    + OUTBOX_KEY + "=true: inactive");
            return;
        }
        List<Class<?>> beans = new ArrayList<>(List.of(JpaIdempotencyBeans.class, ContainerTransactionRunner.class));
        if (store) {
            beans.add(JpaStoreBeans.Idempotency.class);
            beans.add(JpaIdempotencyCleanupScheduler.class);
        }
        if (outbox) {
            beans.add(JpaStoreBeans.Outbox.class);
        }
        for (Class<?> type : beans) {
            event.addAnnotatedType(beanManager.createAnnotatedType(type),
                    JpaIdempotencyExtension.class.getName() + "#" + type.getName());
        }
    }

    private static Optional<String> value(String key) {
        try {
            return ConfigProvider.getConfig().getOptionalValue(key, String.class).map(v -> v.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalStateException | NoClassDefFoundError e) {
            return Optional.empty(); // no MicroProfile Config: the SourceFlow extension reports that as a deployment problem
        }
    }

    void requirePersistenceUnit(@Observes AfterDeploymentValidation event, BeanManager beanManager) {
        if (active && beanManager.getBeans(EntityManagerFactory.class, IdempotencyPersistenceUnit.Literal.INSTANCE).isEmpty()) {
            event.addDeploymentProblem(new IllegalStateException(MISSING_EMF));
        }
    }
}
