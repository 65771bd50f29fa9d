-- The dashboard's counts of the current ledger read the few items they count, not the ledger
-- (ADR 0038): partial indexes holding only the items still owing, the disputed ones and those
-- owing without a funding source, each with the columns its count reads (by unit, for a
-- subtree; whole, for the province).
CREATE INDEX items_owing ON items (org_id, due_on, out_u, out_d) WHERE out_u + out_d > 0;
CREATE INDEX items_owing_disputed ON items (org_id, out_d) WHERE out_d > 0;
CREATE INDEX items_owing_unfunded ON items (org_id, funding_source, out_u, out_d) WHERE funding_source = '' AND out_u + out_d > 0;
-- The repayments by business day: the signals list their first records in date order without
-- reading every repayment.
CREATE INDEX entries_repay_on ON entries (on_date, id) WHERE kind = 'repay';
