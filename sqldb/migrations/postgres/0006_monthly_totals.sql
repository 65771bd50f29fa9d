-- The running totals rolled up by month: the figures as of a date, as known now, are the months
-- before it plus the days of its own month. (Figures as known at an earlier time still read the
-- daily table, which keeps the recording day.) The migration fills it from org_totals.
CREATE TABLE org_totals_month (
	org_id BIGINT  NOT NULL,
	month  DATE    NOT NULL,
	kind   TEXT    NOT NULL,
	origin TEXT    NOT NULL,
	items  BIGINT  NOT NULL,
	rec_u  BIGINT  NOT NULL,
	rec_d  BIGINT  NOT NULL,
	rep_u  BIGINT  NOT NULL,
	rep_d  BIGINT  NOT NULL,
	adj_u  BIGINT  NOT NULL,
	adj_d  BIGINT  NOT NULL,
	pay_n  BIGINT  NOT NULL,
	pay_nv BIGINT  NOT NULL,
	rep_nv BIGINT  NOT NULL,
	PRIMARY KEY (org_id, month, kind, origin)
);
