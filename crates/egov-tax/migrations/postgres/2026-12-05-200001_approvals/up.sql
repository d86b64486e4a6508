-- Four eyes: an assessment or refund at or above the year's administration.second_officer_from
-- waits here until a second officer approves (or rejects) it; only then is it on the ledger.
CREATE TABLE tax_approvals (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,                -- assessment | refund
    source TEXT NOT NULL,              -- notice:<id> | the refund's bank transfer id
    taxpayer TEXT NOT NULL,
    tax TEXT NOT NULL,
    year INTEGER NOT NULL,
    amount TEXT NOT NULL,
    due_date DATE,
    return_id TEXT,
    note TEXT,
    status TEXT NOT NULL,              -- pending | approved | rejected
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMP,
    decision_note TEXT,
    UNIQUE (kind, source)
);
CREATE INDEX tax_approvals_status ON tax_approvals (status, requested_at);
