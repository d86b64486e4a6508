-- Members this deployment knows: its own (with keys here) and remote ones (admin-registered).
CREATE TABLE exchange_members (
    id TEXT PRIMARY KEY,              -- INSTANCE/CLASS/MEMBER
    name TEXT NOT NULL,
    base_url TEXT,                    -- where its gateway and published keys are
    local BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Ed25519 keys: this deployment's (private half sealed) and remote members' pinned public keys.
CREATE TABLE exchange_keys (
    kid TEXT PRIMARY KEY,             -- <member>#<n>
    member TEXT NOT NULL,
    public_key TEXT NOT NULL,         -- base64url, 32 bytes
    private_sealed TEXT,
    created_at TIMESTAMP NOT NULL,
    retire_at TIMESTAMP               -- stops being published/accepted after this
);
CREATE INDEX exchange_keys_member ON exchange_keys (member, created_at);

-- Access rights: deny by default; one row per client x service x purpose x item set.
CREATE TABLE exchange_grants (
    id TEXT PRIMARY KEY,
    client TEXT NOT NULL,
    service TEXT NOT NULL,
    purpose TEXT NOT NULL,
    items TEXT NOT NULL,              -- JSON array of item names
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX exchange_grants_lookup ON exchange_grants (client, service, purpose);

-- The consent ledger.
CREATE TABLE exchange_consents (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,            -- person key (blind index of the national ID)
    client TEXT NOT NULL,
    service TEXT NOT NULL,
    purpose TEXT NOT NULL,
    items TEXT NOT NULL,              -- JSON array
    granted_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP
);
CREATE INDEX exchange_consents_subject ON exchange_consents (subject, granted_at);

-- Replay protection: message ids seen per client within the window.
CREATE TABLE exchange_seen (
    client TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seen_at TIMESTAMP NOT NULL,
    PRIMARY KEY (client, message_id)
);
CREATE INDEX exchange_seen_at ON exchange_seen (seen_at);

-- The message log: append-only, hash-chained, on both sides of every exchange.
CREATE TABLE exchange_log (
    seq BIGINT PRIMARY KEY,
    side TEXT NOT NULL,               -- client | provider
    recorded_at TIMESTAMP NOT NULL,
    message_id TEXT NOT NULL,
    client TEXT NOT NULL,
    service TEXT NOT NULL,
    purpose TEXT NOT NULL,
    subject TEXT,
    consent TEXT,
    basis TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    request_headers TEXT NOT NULL,    -- JSON: the signed headers' values
    request_digest TEXT NOT NULL,     -- SHA-256 hex of the body
    request_body TEXT,                -- full mode only
    request_signature TEXT,
    request_hash TEXT,
    response_status INTEGER NOT NULL,
    response_headers TEXT NOT NULL,
    response_digest TEXT NOT NULL,
    response_body TEXT,
    response_signature TEXT,
    outcome TEXT NOT NULL,            -- ok | refused | failed
    error_type TEXT,
    items_released TEXT NOT NULL,
    items_stripped TEXT NOT NULL,
    mode TEXT NOT NULL,               -- full | metadata
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX exchange_log_subject ON exchange_log (subject, seq);
CREATE INDEX exchange_log_message ON exchange_log (message_id);

CREATE TABLE exchange_log_head (
    id INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO exchange_log_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Events: the transactional outbox, subscriptions and per-subscriber deliveries.
CREATE TABLE exchange_events (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    subject TEXT,
    time TIMESTAMP NOT NULL,
    data TEXT NOT NULL,               -- JSON
    PRIMARY KEY (source, id)
);

CREATE TABLE exchange_subscriptions (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    types TEXT NOT NULL,              -- JSON array; empty = every type
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    active BOOLEAN NOT NULL
);

CREATE TABLE exchange_deliveries (
    source TEXT NOT NULL,
    event_id TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    status TEXT NOT NULL,             -- pending | delivered | dead
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    last_error TEXT,
    delivered_at TIMESTAMP,
    PRIMARY KEY (source, event_id, subscription_id)
);
CREATE INDEX exchange_deliveries_due ON exchange_deliveries (status, next_attempt_at);

-- Consumer side: events already accepted (de-duplication on source + id).
CREATE TABLE exchange_inbox (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source, id)
);
