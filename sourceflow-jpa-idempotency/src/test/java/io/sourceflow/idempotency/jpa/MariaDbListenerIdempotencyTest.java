package io.sourceflow.idempotency.jpa;

/** The listener's idempotency end to end on the machine's MariaDB. */
class MariaDbListenerIdempotencyTest extends ListenerIdempotencyContract {
    MariaDbListenerIdempotencyTest() {
        super(TestDatabase.MARIADB);
    }
}
