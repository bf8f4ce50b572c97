package io.sourceflow.idempotency.jpa;

/** The listener's idempotency end to end on the machine's PostgreSQL. */
class PostgreSqlListenerIdempotencyTest extends ListenerIdempotencyContract {
    PostgreSqlListenerIdempotencyTest() {
        super(TestDatabase.POSTGRESQL);
    }
}
