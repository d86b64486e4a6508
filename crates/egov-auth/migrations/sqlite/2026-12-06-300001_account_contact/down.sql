ALTER TABLE auth_accounts DROP COLUMN language;
ALTER TABLE auth_accounts DROP COLUMN phone;
