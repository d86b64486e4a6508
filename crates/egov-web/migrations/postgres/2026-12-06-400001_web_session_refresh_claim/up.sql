-- A refresh of a session's tokens is claimed here first, so that two processes serving the
-- same browser never both spend its single-use refresh token (the provider would take the
-- second use as theft and end the session). Unix seconds until which the claim holds.
ALTER TABLE web_sessions ADD COLUMN refresh_claim BIGINT;
