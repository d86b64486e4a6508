-- Withholding statements are accepted only from registered withholding agents (businesses an
-- officer registered as employers). Each statement is counted in the employee's pre-filled
-- return, held for review (an outlier by the year's rules), disputed by the employee, or
-- voided by an officer.
CREATE TABLE tax_withholding_agents (
    business_id TEXT PRIMARY KEY,
    registered_by TEXT NOT NULL,
    registered_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
ALTER TABLE tax_statements ADD COLUMN status TEXT NOT NULL DEFAULT 'counted';
ALTER TABLE tax_statements ADD COLUMN note TEXT;
ALTER TABLE tax_statements ADD COLUMN reviewed_by TEXT;
ALTER TABLE tax_statements ADD COLUMN reviewed_at TIMESTAMP;
CREATE INDEX tax_statements_review ON tax_statements (status, received_at);
