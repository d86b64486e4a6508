ALTER TABLE web_sessions DROP COLUMN refresh_claim;
