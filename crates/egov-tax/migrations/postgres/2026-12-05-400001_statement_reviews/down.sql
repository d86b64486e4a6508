DROP INDEX tax_statements_review;
ALTER TABLE tax_statements DROP COLUMN reviewed_at;
ALTER TABLE tax_statements DROP COLUMN reviewed_by;
ALTER TABLE tax_statements DROP COLUMN note;
ALTER TABLE tax_statements DROP COLUMN status;
DROP TABLE tax_withholding_agents;
