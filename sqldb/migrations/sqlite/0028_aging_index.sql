-- The aging index ordered by unit and due date (ADR 35): a bucket of the aging is one range of
-- due dates per unit, read in the index's order; the drill-down to one unit's bucket too.
DROP INDEX IF EXISTS payable_parts_aging;
CREATE INDEX payable_parts_aging ON payable_parts (org_id, due_on, start_on, paid_on, prev_paid_on, amount);
