-- The web pages' sessions (backend-for-frontend): the browser holds only a random cookie;
-- the tokens it stands for are sealed here (XChaCha20-Poly1305 under a key derived from the
-- deployment's encryption key). Times are Unix seconds.
CREATE TABLE web_sessions (
    id TEXT PRIMARY KEY NOT NULL,          -- SHA-256 of the cookie value, hex
    account_id TEXT NOT NULL,
    sealed TEXT NOT NULL,                  -- access, refresh and ID token, display name
    access_expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
CREATE INDEX web_sessions_account ON web_sessions (account_id);
