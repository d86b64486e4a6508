-- The tax module's tables. Money is stored as decimal text (exact on both backends).
-- Taxpayers are keyed by subject key: a person's blind index (never the national ID) or
-- `business:<registration number>`.

-- The module's Ed25519 keys for acknowledgements, receipts and certificates (private half
-- sealed with the deployment's encryption key).
CREATE TABLE tax_keys (
    kid TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    private_sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Employers' withholding statements (지급명세서), idempotent by (employer, statement_id).
CREATE TABLE tax_statements (
    id TEXT PRIMARY KEY,
    employer TEXT NOT NULL,            -- business registration number
    statement_id TEXT NOT NULL,        -- the employer's id for the statement
    taxpayer TEXT NOT NULL,            -- the employee's subject key
    masked_id TEXT NOT NULL,           -- national ID as shown (masked)
    year INTEGER NOT NULL,
    amounts TEXT NOT NULL,             -- JSON: wages, withheld_income_tax, ...
    digest TEXT NOT NULL,              -- SHA-256 of the canonical content
    received_at TIMESTAMP NOT NULL,
    UNIQUE (employer, statement_id)
);
CREATE INDEX tax_statements_taxpayer ON tax_statements (taxpayer, year);

-- One return per taxpayer, tax and year: the working draft (the filer's own entries).
CREATE TABLE tax_returns (
    id TEXT PRIMARY KEY,
    taxpayer TEXT NOT NULL,
    masked_id TEXT NOT NULL,
    tax TEXT NOT NULL,
    year INTEGER NOT NULL,
    status TEXT NOT NULL,              -- draft | submitted
    draft TEXT NOT NULL,               -- JSON: the filer's entries over the pre-fill
    payment_reference TEXT NOT NULL,   -- for bank transfers
    latest_version INTEGER NOT NULL,   -- 0 before the first submission
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (taxpayer, tax, year),
    UNIQUE (payment_reference)
);

-- Every submitted version, immutable: the submission id is the acknowledgement's id.
CREATE TABLE tax_return_versions (
    id TEXT PRIMARY KEY,
    return_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,                -- original | amended | correction
    idempotency_key TEXT NOT NULL,
    inputs TEXT NOT NULL,              -- JSON inputs as evaluated
    prefill TEXT NOT NULL,             -- JSON pre-filled values with provenance
    outcome TEXT NOT NULL,             -- JSON result with trace, engine version, rules hash
    rules_hash TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    balance TEXT NOT NULL,             -- owed (+) or refundable (-) after prepayments
    alerts TEXT NOT NULL,              -- JSON business rules that fired as alerts
    actor TEXT NOT NULL,               -- account that submitted (filer or officer)
    reason TEXT,                       -- officers' corrections
    acknowledgement TEXT NOT NULL,     -- JSON, signed
    signature TEXT NOT NULL,           -- detached JWS over the canonical acknowledgement
    submitted_at TIMESTAMP NOT NULL,
    UNIQUE (return_id, version),
    UNIQUE (return_id, idempotency_key)
);

-- The taxpayer account: assessments (+), payments (-), refunds paid (+), per tax and year.
CREATE TABLE tax_ledger (
    id TEXT PRIMARY KEY,
    taxpayer TEXT NOT NULL,
    tax TEXT NOT NULL,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,                -- assessment | payment | refund
    amount TEXT NOT NULL,
    due_date DATE,
    source TEXT NOT NULL,              -- version id, bank transaction id, refund id, notice:<id>
    reference TEXT,
    note TEXT,                         -- an officer's assessment: the ground, shown to the taxpayer
    created_at TIMESTAMP NOT NULL,
    UNIQUE (kind, source)
);
CREATE INDEX tax_ledger_taxpayer ON tax_ledger (taxpayer, tax, year);

-- Bank settlement lines as received, idempotent by the bank's transaction id.
CREATE TABLE tax_bank_transfers (
    bank_txn_id TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    amount TEXT NOT NULL,
    paid_on DATE NOT NULL,
    matched_return TEXT,
    received_at TIMESTAMP NOT NULL
);

-- Issued certificates (signed documents) with their verification number.
CREATE TABLE tax_certificates (
    number TEXT PRIMARY KEY,
    kind TEXT NOT NULL,                -- tax_clearance | income
    holder TEXT NOT NULL,              -- subject key
    document TEXT NOT NULL,            -- JSON as shown on the certificate
    signature TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    valid_until TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoke_reason TEXT
);
CREATE INDEX tax_certificates_holder ON tax_certificates (holder, issued_at);

-- Notification outbox (reminders); delivered by the module's worker through a provider.
CREATE TABLE tax_notifications (
    id TEXT PRIMARY KEY,
    dedup TEXT NOT NULL UNIQUE,        -- one reminder per taxpayer, deadline and day
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,           -- subject key; the provider resolves contact details
    template TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,              -- queued | sent | failed
    attempts INTEGER NOT NULL,
    next_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX tax_notifications_due ON tax_notifications (status, next_at);
