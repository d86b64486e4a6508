-- The algorithm a client's ID tokens are signed with (OpenID Connect Dynamic Client
-- Registration's id_token_signed_response_alg): EdDSA, or RS256 for relying parties that take
-- only the algorithm OpenID Connect requires of every provider.
ALTER TABLE auth_clients ADD COLUMN id_token_signed_response_alg TEXT NOT NULL DEFAULT 'EdDSA';
