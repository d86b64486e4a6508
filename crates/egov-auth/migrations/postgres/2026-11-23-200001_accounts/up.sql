-- Common auth: agencies, accounts, factors, sessions, OIDC clients and codes, signing keys,
-- login throttling, bootstrap.

CREATE TABLE auth_agencies (
    id TEXT PRIMARY KEY,                -- agency code, e.g. MOIS
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE auth_accounts (
    id TEXT PRIMARY KEY,                -- UUID
    username TEXT NOT NULL UNIQUE,      -- login name, lower-cased
    kind TEXT NOT NULL,                 -- citizen | business | officer | agency_admin | platform_admin | auditor
    display_name TEXT NOT NULL,
    email TEXT,
    agency_id TEXT REFERENCES auth_agencies (id),
    position TEXT,
    roles TEXT NOT NULL,                -- JSON array of role names
    national_id_sealed TEXT,            -- encrypted (XChaCha20-Poly1305), never plain
    national_id_index TEXT UNIQUE,      -- keyed blind index (HMAC-SHA256) for lookup
    national_id_masked TEXT,            -- the country pack's masked form, for display
    business_id TEXT UNIQUE,            -- business registration number (public register)
    password_hash TEXT,                 -- argon2id PHC string; NULL until an invitation is accepted
    status TEXT NOT NULL,               -- active | invited | disabled
    totp_secret_sealed TEXT,
    totp_enabled BOOLEAN NOT NULL,
    totp_last_step BIGINT,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX auth_accounts_agency ON auth_accounts (agency_id, kind);

CREATE TABLE auth_business_representatives (
    business_account_id TEXT NOT NULL REFERENCES auth_accounts (id),
    citizen_account_id TEXT NOT NULL REFERENCES auth_accounts (id),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (business_account_id, citizen_account_id)
);

CREATE TABLE auth_recovery_codes (
    account_id TEXT NOT NULL REFERENCES auth_accounts (id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP,
    PRIMARY KEY (account_id, code_hash)
);

-- A session is one sign-in; its refresh tokens form one family.
CREATE TABLE auth_sessions (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES auth_accounts (id),
    client_id TEXT NOT NULL,
    aal INTEGER NOT NULL,
    amr TEXT NOT NULL,                  -- JSON array: ["pwd"], ["pwd","otp"]
    auth_time TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT
);
CREATE INDEX auth_sessions_account ON auth_sessions (account_id);

CREATE TABLE auth_refresh_tokens (
    token_hash TEXT PRIMARY KEY,        -- SHA-256 of the opaque token
    session_id TEXT NOT NULL REFERENCES auth_sessions (id),
    issued_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX auth_refresh_tokens_session ON auth_refresh_tokens (session_id);

CREATE TABLE auth_clients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,        -- JSON array, matched exactly
    secret_hash TEXT,                   -- NULL for public clients (PKCE only)
    created_at TIMESTAMP NOT NULL
);

-- An authorization request in progress (the login page's server-side state).
CREATE TABLE auth_authorization_requests (
    id TEXT PRIMARY KEY,                -- SHA-256 of the random handle in the form
    client_id TEXT NOT NULL REFERENCES auth_clients (id),
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    state TEXT,
    nonce TEXT,
    code_challenge TEXT NOT NULL,
    min_aal INTEGER NOT NULL,
    account_id TEXT,                    -- set once the password is right and a factor is due
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE auth_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES auth_sessions (id),
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    nonce TEXT,
    scope TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

CREATE TABLE auth_signing_keys (
    kid TEXT PRIMARY KEY,
    private_sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP                -- no longer signs; published until its tokens expire
);

-- Login throttling buckets: `name:<login name>`, `device:<id>`, `account:<id>`, `ip:<address>`.
CREATE TABLE auth_throttle (
    bucket TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,          -- consecutive failures
    locked_until TIMESTAMP,
    window_start TIMESTAMP NOT NULL,    -- start of the current hour window
    window_count INTEGER NOT NULL       -- attempts (ip) or failures (account) in the window
);

-- Bootstrap: the one-time setup token printed by the first `serve` of an empty installation.
CREATE TABLE auth_setup (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
