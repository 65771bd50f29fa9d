-- Reporting and supervision: periods, group submissions with their sign-off steps, issued
-- consolidated reports, supervision notices, interviews and their commitments, settings.
-- The running totals gain the repayments and those without a payment voucher.

ALTER TABLE org_totals ADD COLUMN pay_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE org_totals ADD COLUMN pay_nv INTEGER NOT NULL DEFAULT 0;
ALTER TABLE org_totals ADD COLUMN rep_nv INTEGER NOT NULL DEFAULT 0;

-- The day (China time) a voucher was attached: a repayment counts as without voucher until then.
ALTER TABLE entry_vouchers ADD COLUMN attached_on TEXT NOT NULL DEFAULT '';
UPDATE entry_vouchers SET attached_on = (SELECT recorded_on FROM entries WHERE entries.id = entry_vouchers.entry_id);

CREATE TABLE periods (
	id         INTEGER PRIMARY KEY,
	org_id     INTEGER NOT NULL REFERENCES orgs (id),
	no         INTEGER NOT NULL,
	kind       TEXT    NOT NULL,
	title      TEXT    NOT NULL,
	starts_on  TEXT    NOT NULL,
	as_of      TEXT    NOT NULL,
	deadline   TEXT    NOT NULL,
	note       TEXT    NOT NULL DEFAULT '',
	created_by TEXT    NOT NULL,
	created_at TEXT    NOT NULL,
	UNIQUE (org_id, no)
) STRICT;

CREATE TABLE submissions (
	id           INTEGER PRIMARY KEY,
	period_id    INTEGER NOT NULL REFERENCES periods (id),
	org_id       INTEGER NOT NULL REFERENCES orgs (id),
	state        TEXT    NOT NULL,
	zero         INTEGER NOT NULL DEFAULT 0,
	narrative    TEXT    NOT NULL DEFAULT '',
	explanation  TEXT    NOT NULL DEFAULT '',
	figures      TEXT    NOT NULL,
	known_at     TEXT    NOT NULL,
	flags        TEXT    NOT NULL DEFAULT '[]',
	submitted_at TEXT,
	late         INTEGER NOT NULL DEFAULT 0,
	check_result TEXT    NOT NULL DEFAULT '',
	check_basis  TEXT    NOT NULL DEFAULT '',
	checked_by   TEXT    NOT NULL DEFAULT '',
	checked_at   TEXT,
	version      INTEGER NOT NULL DEFAULT 1,
	UNIQUE (period_id, org_id)
) STRICT;
CREATE INDEX submissions_org ON submissions (org_id);

CREATE TABLE submission_steps (
	submission_id INTEGER NOT NULL REFERENCES submissions (id),
	seq           INTEGER NOT NULL,
	action        TEXT    NOT NULL,
	actor_id      INTEGER NOT NULL,
	actor_name    TEXT    NOT NULL,
	note          TEXT    NOT NULL DEFAULT '',
	at            TEXT    NOT NULL,
	PRIMARY KEY (submission_id, seq)
) STRICT;

CREATE TABLE reports (
	period_id INTEGER PRIMARY KEY REFERENCES periods (id),
	body      TEXT    NOT NULL,
	issued_by TEXT    NOT NULL,
	issued_at TEXT    NOT NULL
) STRICT;

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE notices (
	id         INTEGER PRIMARY KEY,
	org_id     INTEGER NOT NULL REFERENCES orgs (id),
	no         TEXT    NOT NULL UNIQUE,
	reason     TEXT    NOT NULL,
	actions    TEXT    NOT NULL,
	deadline   TEXT    NOT NULL,
	state      TEXT    NOT NULL,
	issued_by  TEXT    NOT NULL,
	issued_at  TEXT    NOT NULL,
	reply      TEXT    NOT NULL DEFAULT '',
	replied_by TEXT    NOT NULL DEFAULT '',
	replied_at TEXT,
	closed_by  TEXT    NOT NULL DEFAULT '',
	closed_at  TEXT,
	version    INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX notices_org ON notices (org_id);

CREATE TABLE interviews (
	id           INTEGER PRIMARY KEY,
	org_id       INTEGER NOT NULL REFERENCES orgs (id),
	held_on      TEXT    NOT NULL,
	level        TEXT    NOT NULL,
	participants TEXT    NOT NULL,
	minutes      TEXT    NOT NULL,
	created_by   TEXT    NOT NULL,
	created_at   TEXT    NOT NULL
) STRICT;
CREATE INDEX interviews_org ON interviews (org_id);

CREATE TABLE commitments (
	id           INTEGER PRIMARY KEY,
	interview_id INTEGER NOT NULL REFERENCES interviews (id),
	text         TEXT    NOT NULL,
	due_on       TEXT    NOT NULL,
	done_on      TEXT,
	follow_up    TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX commitments_interview ON commitments (interview_id);
