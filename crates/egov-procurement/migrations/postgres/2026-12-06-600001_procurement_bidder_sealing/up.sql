-- Bids sealed by the bidder: the bidder encrypts the bid to the tender's opening key and signs
-- it with a key registered here; the server keeps the envelope, the key and the signature.

-- Bid signing keys (Ed25519) a supplier registered; a revoked key signs no new bid.
CREATE TABLE procurement_bidder_keys (
    id TEXT PRIMARY KEY,
    business_id TEXT NOT NULL,
    account TEXT NOT NULL,             -- the person's account that registered the key
    label TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,   -- base64, 32 bytes
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX procurement_bidder_keys_business ON procurement_bidder_keys (business_id, created_at);

-- 'bidder': an HPKE envelope signed by the bidder; 'server': sealed by the server (earlier bids).
ALTER TABLE procurement_bids ADD COLUMN sealing TEXT NOT NULL DEFAULT 'server';
ALTER TABLE procurement_bids ADD COLUMN key_id TEXT;
ALTER TABLE procurement_bids ADD COLUMN signer_key TEXT;
ALTER TABLE procurement_bids ADD COLUMN signature TEXT;

-- Scores set aside when the review body orders a re-evaluation: kept, signed as they were,
-- with the complaint that reopened scoring; evaluators then score again.
CREATE TABLE procurement_superseded_scores (
    id TEXT PRIMARY KEY,
    tender_id TEXT NOT NULL,
    bid_id TEXT NOT NULL,
    evaluator TEXT NOT NULL,
    score TEXT NOT NULL,
    comment TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    signature TEXT NOT NULL,
    superseded_at TIMESTAMP NOT NULL,
    complaint_id TEXT NOT NULL
);
CREATE INDEX procurement_superseded_scores_tender ON procurement_superseded_scores (tender_id);
