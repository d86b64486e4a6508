-- A business asks a person (by national ID) to represent it; the person accepts or refuses
-- from their own account. The business learns nothing about the national ID until then.
CREATE TABLE auth_representation_invitations (
    id TEXT PRIMARY KEY,
    business_account_id TEXT NOT NULL REFERENCES auth_accounts (id),
    national_id_index TEXT NOT NULL,
    national_id_masked TEXT NOT NULL,
    status TEXT NOT NULL,
    citizen_account_id TEXT REFERENCES auth_accounts (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP
);
CREATE INDEX auth_representation_invitations_person
    ON auth_representation_invitations (national_id_index, status);
CREATE INDEX auth_representation_invitations_business
    ON auth_representation_invitations (business_account_id, created_at);
-- The revocation list every process reads: sessions revoked recently.
CREATE INDEX auth_sessions_revoked ON auth_sessions (revoked_at);
-- Single-use tokens (password reset, invitation) spent: a second use is refused, atomically.
CREATE TABLE auth_spent_tokens (
    jti TEXT PRIMARY KEY,
    spent_at TIMESTAMP NOT NULL
);
