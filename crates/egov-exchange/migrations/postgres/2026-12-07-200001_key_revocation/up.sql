-- Revocation: a key withdrawn before its time (compromised, superseded, or its member
-- ceased) is refused from `revoked_at` on and listed in the member's signed status list
-- (`GET /exchange/v1/keys/status`), which offline verifiers check evidence against.
ALTER TABLE exchange_keys ADD COLUMN revoked_at TIMESTAMP;
ALTER TABLE exchange_keys ADD COLUMN revocation_reason TEXT;
