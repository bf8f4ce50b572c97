package io.sourceflow.bench;

import com.arjuna.ats.arjuna.common.CoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.CoreEnvironmentBeanException;
import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import io.sourceflow.idempotency.jpa.IdempotencyPersistenceUnit;
import io.sourceflow.idempotency.jpa.OutboxRecord;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.SharedCacheMode;
import jakarta.persistence.ValidationMode;
import jakarta.persistence.spi.ClassTransformer;
import jakarta.persistence.spi.PersistenceUnitInfo;
import jakarta.persistence.spi.PersistenceUnitTransactionType;
import jakarta.transaction.TransactionManager;
import org.eclipse.microprofile.config.ConfigProvider;
import org.hibernate.jpa.HibernatePersistenceProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

import javax.sql.DataSource;
import java.net.URL;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The beans of the outbox deployments: the application's persistence (a JTA data source and a Hibernate ORM
 * persistence unit, as a server would give them, produced for the outbox store with {@link IdempotencyPersistenceUnit})
 * and the {@link AcceptClock}. Adapted from {@code sourceflow-jpa-idempotency}'s tests ({@code NarayanaJta},
 * {@code HibernateSe}, {@code ListenerIdempotencyContract.ApplicationPersistence}).
 */
public final class OutboxBeans {

    private OutboxBeans() {
    }

    /** The data sources the benchmark made, by the key its deployment's config names ({@code bench.outbox.datasource}). */
    static final Map<String, OutboxDataSource> DATA_SOURCES = new ConcurrentHashMap<>();
    static final String DATA_SOURCE_KEY = "bench.outbox.datasource";

    private static TransactionManager tm;

    /** Narayana's transaction manager in this JVM, with its object store under target/ (one-phase commits write none). */
    static synchronized TransactionManager transactionManager() {
        if (tm == null) {
            String dir = System.getProperty("narayana.store.dir", "target/narayana-store");
            BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class).setObjectStoreDir(dir);
            BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "communicationStore").setObjectStoreDir(dir);
            BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "stateStore").setObjectStoreDir(dir);
            try {
                BeanPopulator.getDefaultInstance(CoreEnvironmentBean.class).setNodeIdentifier("sourceflow-bench");
            } catch (CoreEnvironmentBeanException e) {
                throw new IllegalStateException(e);
            }
            tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
        }
        return tm;
    }

    /** The application's JTA data source and persistence unit (the outbox store's {@link IdempotencyPersistenceUnit}). */
    @ApplicationScoped
    public static class Persistence {
        private volatile DataSource dataSource;
        private volatile EntityManagerFactory emf;

        /** At start, on the deployment's thread (its configuration is that of the context class loader). */
        void start(@Observes @Priority(1) @Initialized(ApplicationScoped.class) Object startup) {
            String key = ConfigProvider.getConfig().getValue(DATA_SOURCE_KEY, String.class);
            dataSource = DATA_SOURCES.get(key);
            if (dataSource == null) {
                throw new IllegalStateException("no data source " + key);
            }
        }

        private DataSource dataSource() {
            return dataSource;
        }

        @Produces
        @IdempotencyPersistenceUnit
        EntityManagerFactory emf() {
            if (emf == null) {
                synchronized (this) {
                    if (emf == null) {
                        emf = jta(dataSource());
                    }
                }
            }
            return emf;
        }

        @Produces
        DataSource applicationDataSource() {
            return dataSource();
        }

        @PreDestroy
        void close() {
            if (emf != null) {
                emf.close();
            }
        }
    }

    /** Adds the {@link AcceptClock} to SourceFlow's clients. */
    public static class Clock {
        @Produces
        @Singleton
        ExecutionInterceptor acceptClock() {
            return AcceptClock.INSTANCE;
        }
    }

    /** A JTA persistence unit on Narayana with just {@link OutboxRecord}, validated against the shipped DDL. */
    static EntityManagerFactory jta(DataSource ds) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("jakarta.persistence.schema-generation.database.action", "none");
        settings.put("hibernate.hbm2ddl.auto", "validate");
        settings.put("hibernate.jdbc.time_zone", "UTC");
        settings.put("hibernate.transaction.coordinator_class", "jta");
        settings.put("hibernate.transaction.jta.platform",
                "org.hibernate.engine.transaction.jta.platform.internal.JBossStandAloneJtaPlatform");
        return new HibernatePersistenceProvider().createContainerEntityManagerFactory(new Unit(ds), settings);
    }

    private record Unit(DataSource ds) implements PersistenceUnitInfo {
        @Override public String getPersistenceUnitName() { return "sourceflow-bench-outbox"; }
        @Override public String getPersistenceProviderClassName() { return HibernatePersistenceProvider.class.getName(); }
        @Override public PersistenceUnitTransactionType getTransactionType() { return PersistenceUnitTransactionType.JTA; }
        @Override public DataSource getJtaDataSource() { return ds; }
        @Override public DataSource getNonJtaDataSource() { return null; }
        @Override public List<String> getMappingFileNames() { return List.of(); }
        @Override public List<URL> getJarFileUrls() { return List.of(); }
        @Override public URL getPersistenceUnitRootUrl() { return null; }
        @Override public List<String> getManagedClassNames() { return List.of(OutboxRecord.class.getName()); }
        @Override public boolean excludeUnlistedClasses() { return true; }
        @Override public SharedCacheMode getSharedCacheMode() { return SharedCacheMode.NONE; }
        @Override public ValidationMode getValidationMode() { return ValidationMode.NONE; }
        @Override public Properties getProperties() { return new Properties(); }
        @Override public String getPersistenceXMLSchemaVersion() { return "3.0"; }
        @Override public ClassLoader getClassLoader() { return OutboxBeans.class.getClassLoader(); }
        @Override public void addTransformer(ClassTransformer transformer) { }
        @Override public ClassLoader getNewTempClassLoader() { return null; }
    }
}
