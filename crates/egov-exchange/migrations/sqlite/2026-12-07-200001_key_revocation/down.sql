ALTER TABLE exchange_keys DROP COLUMN revocation_reason;
ALTER TABLE exchange_keys DROP COLUMN revoked_at;
