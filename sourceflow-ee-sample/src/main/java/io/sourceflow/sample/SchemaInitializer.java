package io.sourceflow.sample;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.util.List;
import java.util.logging.Logger;

/**
 * Creates the sample's tables at startup if they are missing (PostgreSQL DDL). Instances that start
 * together serialize on a transaction-scoped advisory lock, so two servers sharing one database do not
 * race. A production application would use Flyway or Liquibase instead.
 */
@ApplicationScoped
public class SchemaInitializer {

    private static final Logger LOG = Logger.getLogger(SchemaInitializer.class.getName());
    private static final long LOCK_ID = 0x50F1_0000_0001L;
    private static final List<String> DDL = List.of(
            "CREATE TABLE IF NOT EXISTS sample_order (id VARCHAR(64) PRIMARY KEY, customer VARCHAR(200) NOT NULL,"
                    + " total NUMERIC(12,2) NOT NULL, status VARCHAR(16) NOT NULL,"
                    + " placed_at TIMESTAMP WITH TIME ZONE NOT NULL, paid_at TIMESTAMP WITH TIME ZONE,"
                    + " payment_id VARCHAR(64), version BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS saga_step (id VARCHAR(64) PRIMARY KEY, order_id VARCHAR(64) NOT NULL,"
                    + " step VARCHAR(64) NOT NULL, instance_name VARCHAR(100) NOT NULL, message_id VARCHAR(200),"
                    + " ran_at TIMESTAMP WITH TIME ZONE NOT NULL)",
            "CREATE INDEX IF NOT EXISTS saga_step_order ON saga_step (order_id, step)");

    private EntityManager entityManager;

    /** For the container's client proxy. */
    protected SchemaInitializer() {
    }

    @Inject
    SchemaInitializer(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    /** Runs the DDL once the application has started. */
    @Transactional
    public void createTables(@Observes Startup startup) {
        entityManager.createNativeQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(" + LOCK_ID + ")) AS l")
                .getSingleResult();
        for (String statement : DDL) {
            entityManager.createNativeQuery(statement).executeUpdate();
        }
        LOG.info("sample tables are ready");
    }
}
