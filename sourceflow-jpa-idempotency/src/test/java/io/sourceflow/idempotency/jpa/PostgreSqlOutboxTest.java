package io.sourceflow.idempotency.jpa;

/** The transactional outbox end to end on the machine's PostgreSQL. */
class PostgreSqlOutboxTest extends OutboxContract {
    PostgreSqlOutboxTest() {
        super(TestDatabase.POSTGRESQL);
    }
}
