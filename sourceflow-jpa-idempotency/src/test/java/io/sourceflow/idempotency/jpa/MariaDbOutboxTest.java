package io.sourceflow.idempotency.jpa;

/** The transactional outbox end to end on the machine's MariaDB. */
class MariaDbOutboxTest extends OutboxContract {
    MariaDbOutboxTest() {
        super(TestDatabase.MARIADB);
    }
}
