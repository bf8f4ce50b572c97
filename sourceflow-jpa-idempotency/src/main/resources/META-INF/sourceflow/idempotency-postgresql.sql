-- SourceFlow idempotency store (sourceflow-jpa-idempotency): table for PostgreSQL 12 or newer.
-- Idempotent: safe to run again. Run it with the schema owner's rights before the application starts.
CREATE TABLE IF NOT EXISTS sourceflow_processed_message (
    consumer      varchar(255)                NOT NULL,
    message_id    varchar(128)                NOT NULL,
    status        varchar(16)                 NOT NULL,
    owner         varchar(64),
    lease_expiry  timestamp(6) with time zone,
    processed_at  timestamp(6) with time zone,
    expires_at    timestamp(6) with time zone NOT NULL,
    CONSTRAINT sourceflow_processed_message_pk PRIMARY KEY (consumer, message_id),
    CONSTRAINT sourceflow_processed_message_status CHECK (status IN ('CLAIMED', 'DONE'))
);
-- Cleanup finds expired rows through this index.
CREATE INDEX IF NOT EXISTS sourceflow_processed_message_expires ON sourceflow_processed_message (expires_at);
