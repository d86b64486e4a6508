DROP TABLE tax_notifications;
DROP TABLE tax_certificates;
DROP TABLE tax_bank_transfers;
DROP TABLE tax_ledger;
DROP TABLE tax_return_versions;
DROP TABLE tax_returns;
DROP TABLE tax_statements;
DROP TABLE tax_keys;
