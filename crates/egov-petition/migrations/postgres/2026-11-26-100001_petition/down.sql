DROP TABLE petition_notifications;
DROP TABLE petition_keys;
DROP TABLE petition_documents;
DROP TABLE petition_attachments;
DROP TABLE petition_evidence;
DROP TABLE petition_receipt_counters;
DROP TABLE petition_events;
DROP TABLE petition_cases;
