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
