-- SourceFlow transactional outbox (sourceflow-jpa-idempotency): table for MariaDB 10.5+ and MySQL 8.0+ (InnoDB).
-- service: the sourceflow.service-name of the application that stored the row; each application relays only its own.
-- Idempotent: safe to run again. Run it with the schema owner's rights before the application starts.
-- mediumtext holds an SQS message of up to 1 MiB in utf8mb4. datetime(6) holds UTC instants only if the JDBC layer
-- converts in UTC: set hibernate.jdbc.time_zone=UTC (or run every instance in the same time zone).
CREATE TABLE IF NOT EXISTS sourceflow_outbox (
    id                bigint        NOT NULL AUTO_INCREMENT,
    service           varchar(128)  NOT NULL,
    destination_kind  varchar(8)    NOT NULL,
    destination       varchar(1024) NOT NULL,
    group_id          varchar(128)  NULL,
    message_id        varchar(128)  NOT NULL,
    logical_type      varchar(256)  NOT NULL,
    body              mediumtext    NOT NULL,
    attributes        text          NOT NULL,
    created_at        datetime(6)   NOT NULL,
    lease_until       datetime(6)   NOT NULL,
    lease_token       varchar(64)   NULL,
    attempts          int           NOT NULL DEFAULT 0,
    last_error        varchar(2000) NULL,
    parked            boolean       NOT NULL DEFAULT false,
    CONSTRAINT sourceflow_outbox_pk PRIMARY KEY (id),
    CONSTRAINT sourceflow_outbox_kind CHECK (destination_kind IN ('queue', 'topic')),
    INDEX sourceflow_outbox_lease (service, parked, lease_until)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
