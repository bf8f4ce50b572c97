package io.sourceflow.sample;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Creates the sample's tables at startup if they are missing (PostgreSQL DDL), and the JPA idempotency store's
 * table {@code sourceflow_processed_message} and the outbox's {@code sourceflow_outbox} from the scripts that
 * {@code sourceflow-jpa-idempotency} ships ({@value #IDEMPOTENCY_DDL}, {@value #OUTBOX_DDL}). Instances that start together serialize on a transaction-scoped advisory lock,
 * so two servers sharing one database do not race. A production application would use Flyway or Liquibase
 * instead.
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
    /** The idempotency store's PostgreSQL script, in the sourceflow-jpa-idempotency jar. */
    static final String IDEMPOTENCY_DDL = "META-INF/sourceflow/idempotency-postgresql.sql";
    /** The transactional outbox's PostgreSQL script, in the same jar. */
    static final String OUTBOX_DDL = "META-INF/sourceflow/outbox-postgresql.sql";

    private EntityManager entityManager;

    /** For the container's client proxy. */
    protected SchemaInitializer() {
    }

    @Inject
    SchemaInitializer(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    /**
     * Runs the DDL as the application starts, before SourceFlow's own start-up observers (default priority): the
     * listeners and the idempotency cleanup must find the tables they use.
     */
    @Transactional
    public void createTables(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) @Initialized(ApplicationScoped.class)
                             Object startup) {
        entityManager.createNativeQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(" + LOCK_ID + ")) AS l")
                .getSingleResult();
        List<String> statements = new ArrayList<>(DDL);
        statements.addAll(scriptStatements(IDEMPOTENCY_DDL));
        statements.addAll(scriptStatements(OUTBOX_DDL));
        for (String statement : statements) {
            entityManager.createNativeQuery(statement).executeUpdate();
        }
        LOG.info("sample tables are ready");
    }

    /** The statements of a script shipped in sourceflow-jpa-idempotency: comment lines dropped, split at each {@code ;}. */
    static List<String> scriptStatements(String resource) {
        try (InputStream in = SchemaInitializer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path: is "
                        + "sourceflow-jpa-idempotency in WEB-INF/lib?");
            }
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.strip().startsWith("--"))
                    .collect(Collectors.joining("\n"));
            return Arrays.stream(script.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
