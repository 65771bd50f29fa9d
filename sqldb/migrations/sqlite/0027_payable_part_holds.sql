-- The parts of a payable keep the time an amount was held (under dispute or before a court) and
-- whether it was paid by commercial bill or electronic receivable voucher.
--
-- A part is held, and out of the aging, on the days held_from <= D < held_to (held_to NULL while
-- the dispute or case is open): on the day it closes the amount is payable again. A held part is
-- the money of one dispute or court case (or of several one after the other on the same money:
-- held_from the first opening, held_to the last closing). The first held part of a payable has as
-- prev_paid_on the day the amount never held was all paid, or 9999-12-31 while some of it is
-- unpaid (it is then counted by that part), so that a payable is counted once on a day.
-- in_bills: paid, in part or whole, by bill or voucher: never counted as paid on time.
--
-- Parts stored before this migration have NULL/0 here: they are right after a recompute.
ALTER TABLE payable_parts ADD COLUMN held_from TEXT;
ALTER TABLE payable_parts ADD COLUMN held_to TEXT;
ALTER TABLE payable_parts ADD COLUMN in_bills INTEGER NOT NULL DEFAULT 0;

DROP INDEX payable_parts_aging;
CREATE INDEX payable_parts_aging ON payable_parts (org_id, start_on, paid_on, due_on, prev_paid_on, held_from, held_to, amount);
