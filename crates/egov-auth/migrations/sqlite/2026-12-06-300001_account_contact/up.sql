-- Where notices reach the account holder: a mobile number (E.164) and the language they read.
ALTER TABLE auth_accounts ADD COLUMN phone TEXT;
ALTER TABLE auth_accounts ADD COLUMN language TEXT;
