ALTER TABLE petition_notifications DROP COLUMN delivered;
