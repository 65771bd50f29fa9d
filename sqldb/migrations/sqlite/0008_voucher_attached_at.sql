-- When a voucher was attached, to the microsecond: figures "as known at" an instant within a day
-- leave out the vouchers attached later that day. Earlier links take their entry's recording
-- instant when they were made the same day, else the start of their day (China Standard Time).
ALTER TABLE entry_vouchers ADD COLUMN attached_at TEXT NOT NULL DEFAULT '';
UPDATE entry_vouchers SET attached_at = COALESCE(
	(SELECT e.recorded_at FROM entries e WHERE e.id = entry_vouchers.entry_id AND e.recorded_on = entry_vouchers.attached_on),
	strftime('%Y-%m-%dT%H:%M:%S.000000Z', attached_on, '-8 hours'));
CREATE INDEX entry_vouchers_attached ON entry_vouchers (attached_at);
