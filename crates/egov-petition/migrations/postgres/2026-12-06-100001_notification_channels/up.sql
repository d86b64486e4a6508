-- Channels of a notice already delivered ("email", "email+sms"), so a retry sends only the rest.
ALTER TABLE petition_notifications ADD COLUMN delivered TEXT NOT NULL DEFAULT '';
