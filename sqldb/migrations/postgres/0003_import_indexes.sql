-- Imports match rows to items by unit, creditor and contract number; without this index each row
-- read every item of its unit.
CREATE INDEX items_contract ON items (org_id, creditor_id, contract_no);
