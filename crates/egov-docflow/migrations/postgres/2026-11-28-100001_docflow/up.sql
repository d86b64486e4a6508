-- The docflow module's tables: organisation (units, positions, assignments, stand-ins,
-- delegation tables, versioned changes), documents with every version, the approval line,
-- approval signatures, the hash-chained history, registration counters and ledger,
-- circulation, dispatch, record files, legal holds and disposals.

CREATE TABLE docflow_units (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    code TEXT NOT NULL,                -- shown in registration numbers
    name TEXT NOT NULL,
    parent_id TEXT,
    document_office BOOLEAN NOT NULL,  -- 문서과: receives and dispatches for the agency
    valid_from DATE NOT NULL,
    valid_to DATE,                     -- NULL: in force
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX docflow_units_code ON docflow_units (agency, code, valid_from);

CREATE TABLE docflow_positions (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES docflow_units (id),
    title TEXT NOT NULL,
    rank INTEGER NOT NULL,             -- the pack's rank level (1 = head of agency)
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX docflow_positions_unit ON docflow_positions (unit_id);

-- People (auth account ids) assigned to positions, with validity dates.
CREATE TABLE docflow_assignments (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    position_id TEXT NOT NULL REFERENCES docflow_positions (id),
    account TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,                     -- exclusive
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX docflow_assignments_account ON docflow_assignments (account, valid_from);
CREATE INDEX docflow_assignments_position ON docflow_assignments (position_id, valid_from);

-- 대결: a stand-in position acts for an absent position during a period.
CREATE TABLE docflow_stand_ins (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    position_id TEXT NOT NULL REFERENCES docflow_positions (id),
    stand_in_position_id TEXT NOT NULL REFERENCES docflow_positions (id),
    valid_from TIMESTAMP NOT NULL,
    valid_to TIMESTAMP NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX docflow_stand_ins_position ON docflow_stand_ins (position_id, valid_from);
CREATE INDEX docflow_stand_ins_stand_in ON docflow_stand_ins (stand_in_position_id, valid_from);

-- Every organisation change of an agency, numbered: the organisation's versions.
CREATE TABLE docflow_org_changes (
    agency TEXT NOT NULL,
    version BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    change TEXT NOT NULL,              -- JSON
    PRIMARY KEY (agency, version)
);

-- An agency's own delegation table (위임전결), effective-dated; the pack's is the default.
CREATE TABLE docflow_delegations (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    max_amount BIGINT,
    rank INTEGER NOT NULL,
    effective_from DATE NOT NULL,
    effective_to DATE,
    citation TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX docflow_delegations_agency ON docflow_delegations (agency, doc_type);

CREATE TABLE docflow_documents (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    origin TEXT NOT NULL,              -- produced | received
    drafter TEXT NOT NULL,             -- account (the handler, for a received document)
    drafter_position TEXT,
    doc_type TEXT NOT NULL,
    classification TEXT NOT NULL,      -- function classification (unit task)
    disclosure TEXT NOT NULL,
    disclosure_ground TEXT,
    personal_data BOOLEAN NOT NULL,
    subjects TEXT NOT NULL,            -- JSON array of the data subjects' blind-index keys
    amount BIGINT,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    round INTEGER NOT NULL,
    due_at TIMESTAMP NOT NULL,
    registration_no TEXT,
    registered_at TIMESTAMP,
    sender TEXT,                       -- JSON: where a received document came from
    retention TEXT NOT NULL,
    file_id TEXT,
    completed_at TIMESTAMP,
    disposed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX docflow_documents_drafter ON docflow_documents (drafter, status, due_at, id);
CREATE INDEX docflow_documents_agency ON docflow_documents (agency, status, due_at, id);

CREATE TABLE docflow_versions (
    document_id TEXT NOT NULL REFERENCES docflow_documents (id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT,                         -- JSON; NULL once disposed
    attachments TEXT NOT NULL,         -- JSON array of {name, media_type, size, sha256}
    digest TEXT NOT NULL,
    author TEXT NOT NULL,
    reason TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (document_id, version)
);

CREATE TABLE docflow_blobs (
    sha256 TEXT PRIMARY KEY,
    content BYTEA NOT NULL
);

CREATE TABLE docflow_steps (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES docflow_documents (id),
    seq INTEGER NOT NULL,
    grp INTEGER NOT NULL,
    kind TEXT NOT NULL,
    position_id TEXT NOT NULL,
    status TEXT NOT NULL,              -- pending | current | done
    due_at TIMESTAMP NOT NULL,
    acted_by TEXT,
    mode TEXT,                         -- self | acting
    action TEXT,
    opinion TEXT,
    acted_at TIMESTAMP,
    added_by TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX docflow_steps_document ON docflow_steps (document_id, seq);
CREATE INDEX docflow_steps_work ON docflow_steps (position_id, status, due_at, document_id);

-- Approval signatures: every action on a step, signed over the version digest.
CREATE TABLE docflow_signatures (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES docflow_documents (id),
    round INTEGER NOT NULL,
    payload TEXT NOT NULL,             -- canonical JSON
    signature TEXT NOT NULL,           -- detached JWS by the module key
    at TIMESTAMP NOT NULL
);
CREATE INDEX docflow_signatures_document ON docflow_signatures (document_id, at);

-- The decision history: append-only, hash-chained per document.
CREATE TABLE docflow_events (
    document_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,                  -- RFC 3339 with microseconds, as hashed
    actor TEXT NOT NULL,
    position TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,              -- canonical JSON
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (document_id, seq)
);

CREATE FUNCTION docflow_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'docflow history and signatures are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER docflow_events_append_only BEFORE UPDATE OR DELETE ON docflow_events
    FOR EACH ROW EXECUTE FUNCTION docflow_append_only();
CREATE TRIGGER docflow_signatures_append_only BEFORE UPDATE OR DELETE ON docflow_signatures
    FOR EACH ROW EXECUTE FUNCTION docflow_append_only();

-- Registration: gapless serials per unit, year and kind (production | receipt).
CREATE TABLE docflow_counters (
    unit_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (unit_id, year, kind)
);
CREATE TABLE docflow_ledger (
    unit_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    serial BIGINT NOT NULL,
    registration_no TEXT NOT NULL,
    document_id TEXT NOT NULL,
    title TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    PRIMARY KEY (unit_id, year, kind, serial)
);

-- 공람: who was shown a document and when they read it.
CREATE TABLE docflow_circulations (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES docflow_documents (id),
    reader TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,         -- the document's, for the reader's work list order
    read_at TIMESTAMP,
    comment TEXT
);
CREATE UNIQUE INDEX docflow_circulations_reader_doc ON docflow_circulations (document_id, reader);
CREATE INDEX docflow_circulations_reader ON docflow_circulations (reader, due_at, document_id);

-- Dispatch (시행) to other agencies through the exchange, with confirmations.
CREATE TABLE docflow_dispatches (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES docflow_documents (id),
    member TEXT NOT NULL,              -- the recipient's exchange member
    agency TEXT NOT NULL,              -- the recipient agency
    kind TEXT NOT NULL,                -- dispatch | circulation
    status TEXT NOT NULL,              -- pending | delivered | received | failed
    attempts INTEGER NOT NULL,
    message_id TEXT,
    error TEXT,
    remote_id TEXT,
    receipt_no TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    received_at TIMESTAMP
);
CREATE INDEX docflow_dispatches_document ON docflow_dispatches (document_id);

-- Incoming documents by their sender's dispatch: a redelivery is recognised.
CREATE TABLE docflow_incoming (
    sender_member TEXT NOT NULL,
    dispatch_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (sender_member, dispatch_id)
);

-- 기록물철: record files by function classification.
CREATE TABLE docflow_files (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    classification TEXT NOT NULL,
    title TEXT NOT NULL,
    year INTEGER NOT NULL,
    retention TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE docflow_holds (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES docflow_documents (id),
    reason TEXT NOT NULL,
    authority TEXT NOT NULL,           -- the order or case that requires the hold
    placed_by TEXT NOT NULL,
    placed_at TIMESTAMP NOT NULL,
    released_by TEXT,
    released_at TIMESTAMP,
    release_reason TEXT
);
CREATE INDEX docflow_holds_document ON docflow_holds (document_id);

CREATE TABLE docflow_disposals (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL UNIQUE REFERENCES docflow_documents (id),
    certificate TEXT NOT NULL,         -- JSON
    signature TEXT NOT NULL,
    authorised_by TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);

CREATE TABLE docflow_keys (
    kid TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    private_sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
