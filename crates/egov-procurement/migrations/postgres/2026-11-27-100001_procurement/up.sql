-- The procurement module's tables. Suppliers are keyed by their canonical business number;
-- bids are stored sealed (encrypted to the tender's opening key) until the committee opens them.

-- Suppliers: registered once, reused by every buyer.
CREATE TABLE procurement_suppliers (
    business_id TEXT PRIMARY KEY,      -- canonical business registration number
    account TEXT NOT NULL,             -- the business account that registered
    name TEXT NOT NULL,
    categories TEXT NOT NULL,          -- JSON array: goods | works | services
    licences TEXT NOT NULL,            -- JSON array of {kind, number, valid_until}
    representatives TEXT NOT NULL,     -- JSON array of {name, role}
    registered_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The debarment list kept by the procurement agency (parties barred from bidding).
CREATE TABLE procurement_debarments (
    id TEXT PRIMARY KEY,
    business_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    from_date DATE NOT NULL,
    until_date DATE,                   -- NULL: until lifted
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    lifted_at TIMESTAMP,
    lifted_by TEXT,
    lift_reason TEXT
);
CREATE INDEX procurement_debarments_business ON procurement_debarments (business_id);

-- Eligibility attestations fetched through the exchange (tax clearance), cached until expiry.
CREATE TABLE procurement_eligibility (
    id TEXT PRIMARY KEY,
    business_id TEXT NOT NULL,
    kind TEXT NOT NULL,                -- tax_clearance
    eligible BOOLEAN NOT NULL,
    answer TEXT NOT NULL,              -- JSON: the provider's answer
    provider TEXT NOT NULL,
    consent TEXT,
    message_id TEXT NOT NULL,
    log_seq BIGINT NOT NULL,
    checked_at TIMESTAMP NOT NULL,
    valid_until TIMESTAMP NOT NULL
);
CREATE INDEX procurement_eligibility_business ON procurement_eligibility (business_id, checked_at);

-- Opening committee members' public keys (X25519); the private keys never reach the server.
CREATE TABLE procurement_committee_keys (
    account TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    registered_at TIMESTAMP NOT NULL
);

-- Tenders.
CREATE TABLE procurement_tenders (
    id TEXT PRIMARY KEY,
    ocid TEXT NOT NULL UNIQUE,
    agency TEXT NOT NULL,
    procedure_id TEXT NOT NULL,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    prev_status TEXT,                  -- the status a suspension or postponement returns to
    lots TEXT NOT NULL,                -- JSON array of lots (id, title, base amount, A amount)
    committee TEXT NOT NULL,           -- JSON array of member accounts
    evaluators TEXT NOT NULL,          -- JSON array of evaluator accounts
    k INTEGER NOT NULL,
    n INTEGER NOT NULL,
    public_key TEXT,                   -- the tender's opening key (X25519), set at publication
    seed_commitment TEXT,              -- SHA-256 of the lottery seed, published with the notice
    seed_sealed TEXT,                  -- the seed, sealed to the opening key
    enquiry_end TIMESTAMP NOT NULL,
    deadline TIMESTAMP NOT NULL,
    opening_at TIMESTAMP NOT NULL,
    amendment INTEGER NOT NULL,
    bid_count INTEGER,                 -- public at the deadline
    commitments TEXT,                  -- JSON: the sealed bids' digests, published at the deadline
    opening TEXT,                      -- JSON: the opening transcript (lottery, validity)
    ranking TEXT,                      -- JSON: ranking with explanations, per lot
    standstill_end TIMESTAMP,
    suspended_at TIMESTAMP,
    cancel_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX procurement_tenders_status ON procurement_tenders (status);
CREATE INDEX procurement_tenders_agency ON procurement_tenders (agency, created_at);
CREATE INDEX procurement_tenders_deadline ON procurement_tenders (deadline);

-- The opening key's shares, each sealed to one member's public key; a member's share is
-- handed in (after the deadline) to open the bids.
CREATE TABLE procurement_shares (
    tender_id TEXT NOT NULL,
    member TEXT NOT NULL,
    sealed_share TEXT NOT NULL,
    share_digest TEXT NOT NULL,
    share TEXT,
    submitted_at TIMESTAMP,
    PRIMARY KEY (tender_id, member)
);

-- Amendments: every published change, numbered per tender.
CREATE TABLE procurement_amendments (
    tender_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    changes TEXT NOT NULL,             -- JSON: field -> {from, to}
    PRIMARY KEY (tender_id, number)
);

-- Questions and answers (published to all; the asker is not).
CREATE TABLE procurement_questions (
    id TEXT PRIMARY KEY,
    tender_id TEXT NOT NULL,
    asker TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT,
    asked_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP,
    answered_by TEXT
);
CREATE INDEX procurement_questions_tender ON procurement_questions (tender_id, asked_at);

-- Bids, sealed.
CREATE TABLE procurement_bids (
    id TEXT PRIMARY KEY,
    tender_id TEXT NOT NULL,
    lot_id TEXT NOT NULL,
    supplier TEXT NOT NULL,
    account TEXT NOT NULL,
    status TEXT NOT NULL,              -- active | replaced | withdrawn | valid | rejected
    sealed TEXT NOT NULL,              -- base64 of the sealed box
    digest TEXT NOT NULL,              -- SHA-256 of the sealed box (the commitment)
    received_at TIMESTAMP NOT NULL,
    receipt TEXT NOT NULL,             -- JSON receipt + its signature
    eligibility TEXT NOT NULL,         -- JSON: the checks and their evidence
    withdrawn_at TIMESTAMP,
    opened TEXT,                       -- JSON: the decrypted contents, after opening
    price TEXT,                        -- after opening
    rejection TEXT                     -- JSON: reasons, after opening
);
CREATE INDEX procurement_bids_tender ON procurement_bids (tender_id, status);
CREATE INDEX procurement_bids_supplier ON procurement_bids (tender_id, supplier, lot_id, status);

-- Evaluators' scores, one row per evaluator and bid, signed.
CREATE TABLE procurement_scores (
    id TEXT PRIMARY KEY,
    tender_id TEXT NOT NULL,
    bid_id TEXT NOT NULL,
    evaluator TEXT NOT NULL,
    score TEXT NOT NULL,
    comment TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    signature TEXT NOT NULL,
    UNIQUE (bid_id, evaluator)
);

-- Awards, one per lot.
CREATE TABLE procurement_awards (
    id TEXT PRIMARY KEY,
    tender_id TEXT NOT NULL,
    lot_id TEXT NOT NULL,
    bid_id TEXT NOT NULL,
    supplier TEXT NOT NULL,
    amount TEXT NOT NULL,
    status TEXT NOT NULL,              -- pending | active | cancelled
    decided_at TIMESTAMP NOT NULL,
    decided_by TEXT NOT NULL
);
CREATE INDEX procurement_awards_tender ON procurement_awards (tender_id);

-- Complaints (against the terms before the deadline, or against the award in the standstill).
CREATE TABLE procurement_complaints (
    id TEXT PRIMARY KEY,
    tender_id TEXT NOT NULL,
    complainant TEXT NOT NULL,
    account TEXT NOT NULL,
    against TEXT NOT NULL,             -- terms | award
    text TEXT NOT NULL,
    status TEXT NOT NULL,              -- pending | upheld | dismissed | withdrawn
    filed_at TIMESTAMP NOT NULL,
    decide_by TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by TEXT,
    decision_reason TEXT,
    remedy TEXT
);
CREATE INDEX procurement_complaints_tender ON procurement_complaints (tender_id);

-- Contracts and their versions; each version is signed by both parties' accounts.
CREATE TABLE procurement_contracts (
    id TEXT PRIMARY KEY,
    tender_id TEXT NOT NULL,
    award_id TEXT NOT NULL UNIQUE,
    supplier TEXT NOT NULL,
    status TEXT NOT NULL,              -- pending | active
    version INTEGER NOT NULL,          -- the latest version
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE procurement_contract_versions (
    contract_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    terms TEXT NOT NULL,               -- JSON: amount, period, items, ...
    digest TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    buyer_by TEXT,
    buyer_at TIMESTAMP,
    buyer_signature TEXT,
    supplier_by TEXT,
    supplier_at TIMESTAMP,
    supplier_signature TEXT,
    PRIMARY KEY (contract_id, version)
);

-- The audit trail of every tender: who or what (the scheduler) did what, when.
CREATE TABLE procurement_events (
    id TEXT PRIMARY KEY,
    tender_id TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX procurement_events_tender ON procurement_events (tender_id, at);

-- OCDS releases, in publication order.
CREATE TABLE procurement_releases (
    seq BIGSERIAL PRIMARY KEY,
    ocid TEXT NOT NULL,
    release_id TEXT NOT NULL UNIQUE,
    date TIMESTAMP NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX procurement_releases_ocid ON procurement_releases (ocid, seq);

-- The module's signing keys (receipts, score records, contract signatures).
CREATE TABLE procurement_keys (
    kid TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    private_sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
