package io.sourceflow.idempotency.jpa;

/** The outbox store on the machine's MariaDB. */
class MariaDbOutboxStoreTest extends JpaOutboxStoreContract {
    MariaDbOutboxStoreTest() {
        super(TestDatabase.MARIADB);
    }
}
