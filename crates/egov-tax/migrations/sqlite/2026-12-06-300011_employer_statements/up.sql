-- The tax office's page of statements received per employer and year: counts by status.
CREATE INDEX tax_statements_employer_year ON tax_statements (year, employer, status);
