package io.sourceflow.idempotency.jpa;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.SharedCacheMode;
import jakarta.persistence.ValidationMode;
import jakarta.persistence.spi.ClassTransformer;
import jakarta.persistence.spi.PersistenceUnitInfo;
import jakarta.persistence.spi.PersistenceUnitTransactionType;
import org.hibernate.jpa.HibernatePersistenceProvider;

import javax.sql.DataSource;
import java.net.URL;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Bootstraps Hibernate ORM in Java SE, as a container would: JTA with an enlisted data source, or resource-local. */
final class HibernateSe {

    private HibernateSe() {
    }

    /**
     * A JTA persistence unit on Narayana: each call is a separate factory, like another instance of the service
     * (they may share one data source, as two persistence units of one server do).
     */
    static EntityManagerFactory jta(DataSource ds) {
        Map<String, Object> settings = common();
        settings.put("hibernate.transaction.coordinator_class", "jta");
        settings.put("hibernate.transaction.jta.platform",
                "org.hibernate.engine.transaction.jta.platform.internal.JBossStandAloneJtaPlatform");
        return new HibernatePersistenceProvider().createContainerEntityManagerFactory(
                new Unit(PersistenceUnitTransactionType.JTA, ds), settings);
    }

    /** A resource-local persistence unit with Hibernate's built-in connection pool. */
    static EntityManagerFactory resourceLocal(TestDatabase db) {
        Map<String, Object> settings = common();
        settings.put("jakarta.persistence.jdbc.url", db.url);
        settings.put("jakarta.persistence.jdbc.user", db.user);
        settings.put("jakarta.persistence.jdbc.password", db.password);
        settings.put("hibernate.connection.pool_size", "20");
        return new HibernatePersistenceProvider().createContainerEntityManagerFactory(
                new Unit(PersistenceUnitTransactionType.RESOURCE_LOCAL, null), settings);
    }

    private static Map<String, Object> common() {
        Map<String, Object> settings = new HashMap<>();
        // The shipped DDL scripts created the table; validation proves they match the mapping.
        settings.put("jakarta.persistence.schema-generation.database.action", "none");
        settings.put("hibernate.hbm2ddl.auto", "validate");
        settings.put("hibernate.jdbc.time_zone", "UTC");
        return settings;
    }

    private record Unit(PersistenceUnitTransactionType type, DataSource ds) implements PersistenceUnitInfo {
        @Override public String getPersistenceUnitName() { return "sourceflow-idempotency-test"; }
        @Override public String getPersistenceProviderClassName() { return HibernatePersistenceProvider.class.getName(); }
        @Override public PersistenceUnitTransactionType getTransactionType() { return type; }
        @Override public DataSource getJtaDataSource() { return type == PersistenceUnitTransactionType.JTA ? ds : null; }
        @Override public DataSource getNonJtaDataSource() { return null; }
        @Override public List<String> getMappingFileNames() { return List.of(); }
        @Override public List<URL> getJarFileUrls() { return List.of(); }
        @Override public URL getPersistenceUnitRootUrl() { return null; }
        @Override public List<String> getManagedClassNames() { return List.of(ProcessedMessage.class.getName(), OutboxRecord.class.getName()); }
        @Override public boolean excludeUnlistedClasses() { return true; }
        @Override public SharedCacheMode getSharedCacheMode() { return SharedCacheMode.NONE; }
        @Override public ValidationMode getValidationMode() { return ValidationMode.NONE; }
        @Override public Properties getProperties() { return new Properties(); }
        @Override public String getPersistenceXMLSchemaVersion() { return "3.0"; }
        @Override public ClassLoader getClassLoader() { return HibernateSe.class.getClassLoader(); }
        @Override public void addTransformer(ClassTransformer transformer) { }
        @Override public ClassLoader getNewTempClassLoader() { return null; }
    }
}
