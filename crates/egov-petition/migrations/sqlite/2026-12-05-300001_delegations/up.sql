-- A person lets someone else apply for documents about them (a resident-registration copy,
-- say), for one service or all, for a time; they see it and withdraw it from their account.
CREATE TABLE petition_delegations (
    id TEXT PRIMARY KEY,
    grantor TEXT NOT NULL,             -- the person's key (blind index of their national ID)
    grantor_masked TEXT NOT NULL,
    grantee TEXT NOT NULL,             -- the applicant's key (a person's, or business:<number>)
    grantee_masked TEXT NOT NULL,
    service TEXT NOT NULL,             -- a service id, or * for every service
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP
);
CREATE INDEX petition_delegations_grantor ON petition_delegations (grantor);
CREATE INDEX petition_delegations_grantee ON petition_delegations (grantee);
