-- Yearly disclosures are signed by a reviewer other than the one who prepared them (ADR 0036):
-- who prepared and who signed, by user; and the reason a signer gave for signing a declaration
-- the payables contradict.

ALTER TABLE disclosures ADD COLUMN prepared_by_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE disclosures ADD COLUMN signed_by_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE disclosures ADD COLUMN contradiction_reason TEXT NOT NULL DEFAULT '';
