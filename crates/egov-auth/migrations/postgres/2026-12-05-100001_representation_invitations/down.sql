DROP TABLE auth_spent_tokens;
DROP INDEX auth_sessions_revoked;
DROP TABLE auth_representation_invitations;
