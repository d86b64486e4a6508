DROP TABLE procurement_superseded_scores;
ALTER TABLE procurement_bids DROP COLUMN signature;
ALTER TABLE procurement_bids DROP COLUMN signer_key;
ALTER TABLE procurement_bids DROP COLUMN key_id;
ALTER TABLE procurement_bids DROP COLUMN sealing;
DROP TABLE procurement_bidder_keys;
