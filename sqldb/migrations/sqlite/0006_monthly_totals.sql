-- The running totals rolled up by month: the figures as of a date, as known now, are the months
-- before it plus the days of its own month. (Figures as known at an earlier time still read the
-- daily table, which keeps the recording day.) The migration fills it from org_totals.
CREATE TABLE org_totals_month (
	org_id INTEGER NOT NULL,  -- the unit: its rows sum its whole subtree
	month  TEXT    NOT NULL,  -- the first day of the month
	kind   TEXT    NOT NULL,  -- the items' kind
	origin TEXT    NOT NULL,  -- the items' origin
	items  INTEGER NOT NULL,  -- items that arose in the month
	rec_u  INTEGER NOT NULL,  -- recognised, undisputed part, in 分
	rec_d  INTEGER NOT NULL,  -- recognised, disputed part
	rep_u  INTEGER NOT NULL,  -- repaid, undisputed part (positive)
	rep_d  INTEGER NOT NULL,  -- repaid, disputed part (positive)
	adj_u  INTEGER NOT NULL,  -- adjusted, undisputed part (signed)
	adj_d  INTEGER NOT NULL,  -- adjusted, disputed part (signed)
	pay_n  INTEGER NOT NULL,  -- repayments, net of reversals
	pay_nv INTEGER NOT NULL,  -- repayments without a voucher yet
	rep_nv INTEGER NOT NULL,  -- amount of the repayments without a voucher yet (positive)
	PRIMARY KEY (org_id, month, kind, origin)
) STRICT, WITHOUT ROWID;
