-- The running totals rolled up by month: the figures as of a date, as known now, are the months
-- before it plus the days of its own month. (Figures as known at an earlier time still read the
-- daily table, which keeps the recording day.) The migration fills it from org_totals.
CREATE TABLE org_totals_month (
	org_id INTEGER NOT NULL,
	month  TEXT    NOT NULL,
	kind   TEXT    NOT NULL,
	origin TEXT    NOT NULL,
	items  INTEGER NOT NULL,
	rec_u  INTEGER NOT NULL,
	rec_d  INTEGER NOT NULL,
	rep_u  INTEGER NOT NULL,
	rep_d  INTEGER NOT NULL,
	adj_u  INTEGER NOT NULL,
	adj_d  INTEGER NOT NULL,
	pay_n  INTEGER NOT NULL,
	pay_nv INTEGER NOT NULL,
	rep_nv INTEGER NOT NULL,
	PRIMARY KEY (org_id, month, kind, origin)
) STRICT, WITHOUT ROWID;
