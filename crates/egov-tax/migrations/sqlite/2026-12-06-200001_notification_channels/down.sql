ALTER TABLE tax_notifications DROP COLUMN delivered;
