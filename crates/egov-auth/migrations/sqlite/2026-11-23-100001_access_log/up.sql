-- Privacy access log (PIPA art. 8 style): append-only, hash-chained.
CREATE TABLE auth_access_log (
    seq BIGINT PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    source_ip TEXT NOT NULL,
    subject TEXT NOT NULL,
    action TEXT NOT NULL,
    purpose TEXT NOT NULL,
    module TEXT NOT NULL,
    record_ref TEXT,
    request_id TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX auth_access_log_subject ON auth_access_log (subject, seq);
CREATE INDEX auth_access_log_occurred ON auth_access_log (occurred_at);

-- The chain's head: one row, updated in the same transaction as each append. Its row lock
-- serializes appends on both backends, and it lets verification notice a truncated tail.
CREATE TABLE auth_access_log_head (
    id INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO auth_access_log_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Where verification starts after retention removed older records.
CREATE TABLE auth_access_log_checkpoints (
    seq BIGINT PRIMARY KEY,
    hash TEXT NOT NULL,
    purged_at TIMESTAMP NOT NULL
);
