-- The petition module's tables. Applicants are keyed by subject key: a person's blind index
-- (never the national ID) or `business:<registration number>`.

-- Cases: applications, complaints and proposals, from draft to closure.
CREATE TABLE petition_cases (
    id TEXT PRIMARY KEY,
    service TEXT NOT NULL,
    kind TEXT NOT NULL,                -- statutory | complaint | proposal | inquiry
    agency TEXT NOT NULL,              -- '' while a draft; set at submission (routing)
    applicant TEXT NOT NULL,           -- subject key
    applicant_account TEXT NOT NULL,   -- the account that files it
    channel TEXT NOT NULL,             -- web | open311
    status TEXT NOT NULL,
    receipt_no TEXT UNIQUE,            -- AGENCY-YEAR-NNNNNNN, gapless per agency and year
    form TEXT NOT NULL,                -- JSON, checked against the service's form
    category TEXT NOT NULL,
    region TEXT NOT NULL,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    address TEXT,
    assignee TEXT,
    decision TEXT,                     -- approved | rejected
    decision_reason TEXT,
    remedies TEXT,
    merged_into TEXT,
    rating INTEGER,
    rating_comment TEXT,
    submitted_at TIMESTAMP,
    due_at TIMESTAMP,
    paused_at TIMESTAMP,               -- clock paused (supplement requested) since
    closed_at TIMESTAMP,
    progress_noticed BOOLEAN NOT NULL,
    version INTEGER NOT NULL,          -- optimistic concurrency
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX petition_cases_work ON petition_cases (agency, due_at, id);
CREATE INDEX petition_cases_work_status ON petition_cases (agency, status, due_at, id);
CREATE INDEX petition_cases_work_assignee ON petition_cases (agency, assignee, due_at, id);
CREATE INDEX petition_cases_applicant ON petition_cases (applicant, created_at);
CREATE INDEX petition_cases_similar ON petition_cases (service, agency, submitted_at);
CREATE INDEX petition_cases_merged ON petition_cases (merged_into);
CREATE INDEX petition_cases_progress ON petition_cases (status, submitted_at);

-- Every transition: who, when, from what to what, why.
CREATE TABLE petition_events (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,          -- applicant | officer | system
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT,
    detail TEXT NOT NULL               -- JSON
);
CREATE INDEX petition_events_case ON petition_events (case_id, at);

-- Receipt-number counters: incremented in the submitting transaction (gapless).
CREATE TABLE petition_receipt_counters (
    agency TEXT NOT NULL,
    year INTEGER NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (agency, year)
);

-- Evidence: uploaded, or fetched through the exchange with consent.
CREATE TABLE petition_evidence (
    case_id TEXT NOT NULL,
    key TEXT NOT NULL,
    source TEXT NOT NULL,              -- upload | exchange
    attachment TEXT,
    provider TEXT,                     -- exchange service id
    consent TEXT,
    message_id TEXT,
    log_seq BIGINT,
    document TEXT,                     -- JSON answer of the provider
    fetched_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, key)
);

-- Attachments: metadata here, bytes in the blob store (content-addressed by SHA-256).
CREATE TABLE petition_attachments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,        -- detected from the content
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX petition_attachments_case ON petition_attachments (case_id);

-- Issued documents, signed by the issuing agency's key.
CREATE TABLE petition_documents (
    number TEXT PRIMARY KEY,           -- document-confirmation number (12 digits)
    case_id TEXT NOT NULL,
    agency TEXT NOT NULL,
    document TEXT NOT NULL,            -- JSON, what was signed
    signature TEXT NOT NULL,           -- detached JWS (EdDSA)
    digest TEXT NOT NULL,              -- SHA-256 of the canonical document
    issued_at TIMESTAMP NOT NULL,
    valid_until TIMESTAMP NOT NULL,
    verifiable_until TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoke_reason TEXT
);
CREATE INDEX petition_documents_case ON petition_documents (case_id);

-- Agencies' Ed25519 signing keys (private half sealed with the deployment's key).
CREATE TABLE petition_keys (
    kid TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    public_key TEXT NOT NULL,
    private_sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX petition_keys_agency ON petition_keys (agency, created_at);

-- Notification outbox (status changes, progress notices, extensions).
CREATE TABLE petition_notifications (
    id TEXT PRIMARY KEY,
    dedup TEXT NOT NULL UNIQUE,
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
CREATE INDEX petition_notifications_due ON petition_notifications (status, next_at);
