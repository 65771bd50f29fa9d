-- The aging index ordered by unit and due date (ADR 35), in place of the one of 0027: a bucket of
-- the aging is one range of due dates per unit, read in the index's order; the drill-down to one
-- unit's bucket too. The other columns are those of a part open on a day (started, not paid,
-- not held) and of what the aging adds up.
DROP INDEX IF EXISTS payable_parts_aging;
CREATE INDEX payable_parts_aging ON payable_parts (org_id, due_on, start_on, paid_on, held_from, held_to, prev_paid_on, amount);
