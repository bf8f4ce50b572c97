package io.sourceflow.idempotency.jpa;

/** The outbox store on the machine's PostgreSQL. */
class PostgreSqlOutboxStoreTest extends JpaOutboxStoreContract {
    PostgreSqlOutboxStoreTest() {
        super(TestDatabase.POSTGRESQL);
    }
}
