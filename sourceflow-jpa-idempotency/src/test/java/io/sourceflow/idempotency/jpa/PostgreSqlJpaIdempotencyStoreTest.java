package io.sourceflow.idempotency.jpa;

/** The JPA store suite on the machine's PostgreSQL. */
class PostgreSqlJpaIdempotencyStoreTest extends JpaIdempotencyStoreContract {
    PostgreSqlJpaIdempotencyStoreTest() {
        super(TestDatabase.POSTGRESQL);
    }
}
