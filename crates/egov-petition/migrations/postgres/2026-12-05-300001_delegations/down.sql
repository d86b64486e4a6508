DROP TABLE petition_delegations;
