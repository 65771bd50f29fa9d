-- The ledger's sort orders read a page along an index instead of sorting the whole set: by due
-- date (undated first, as in SQLite), by date arisen and by outstanding amount, the item's ID
-- breaking ties (ADR 0027).
CREATE INDEX items_due ON items (due_on NULLS FIRST, id);
CREATE INDEX items_arisen ON items (arisen_on, id);
CREATE INDEX items_outstanding ON items ((out_u + out_d), id);
