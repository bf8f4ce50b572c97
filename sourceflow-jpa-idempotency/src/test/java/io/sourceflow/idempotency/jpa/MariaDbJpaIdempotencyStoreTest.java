package io.sourceflow.idempotency.jpa;

/** The JPA store suite on the machine's MariaDB. */
class MariaDbJpaIdempotencyStoreTest extends JpaIdempotencyStoreContract {
    MariaDbJpaIdempotencyStoreTest() {
        super(TestDatabase.MARIADB);
    }
}
