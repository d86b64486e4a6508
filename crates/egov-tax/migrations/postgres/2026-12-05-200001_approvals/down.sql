DROP TABLE tax_approvals;
