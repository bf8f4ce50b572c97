-- SourceFlow idempotency store (sourceflow-jpa-idempotency): table for MariaDB 10.5+ and MySQL 8.0+ (InnoDB).
-- Idempotent: safe to run again. Run it with the schema owner's rights before the application starts.
-- utf8mb4_bin: keys compare exactly (case- and accent-sensitive), as message ids must. The primary key takes at most
-- (255 + 128) * 4 = 1,532 bytes, within InnoDB's 3,072-byte index limit.
-- datetime(6) holds UTC instants only if the JDBC layer converts in UTC: set hibernate.jdbc.time_zone=UTC (or run
-- every instance in the same time zone).
CREATE TABLE IF NOT EXISTS sourceflow_processed_message (
    consumer      varchar(255) NOT NULL,
    message_id    varchar(128) NOT NULL,
    status        varchar(16)  NOT NULL,
    owner         varchar(64)  NULL,
    lease_expiry  datetime(6)  NULL,
    processed_at  datetime(6)  NULL,
    expires_at    datetime(6)  NOT NULL,
    CONSTRAINT sourceflow_processed_message_pk PRIMARY KEY (consumer, message_id),
    CONSTRAINT sourceflow_processed_message_status CHECK (status IN ('CLAIMED', 'DONE')),
    INDEX sourceflow_processed_message_expires (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
