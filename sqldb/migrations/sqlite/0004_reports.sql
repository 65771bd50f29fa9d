-- Reporting and supervision: periods, group submissions with their sign-off steps, issued
-- consolidated reports, supervision notices, interviews and their commitments, settings.
-- The running totals gain the repayments and those without a payment voucher.

ALTER TABLE org_totals ADD COLUMN pay_n INTEGER NOT NULL DEFAULT 0;   -- repayments, net of reversals
ALTER TABLE org_totals ADD COLUMN pay_nv INTEGER NOT NULL DEFAULT 0;  -- repayments without a voucher yet
ALTER TABLE org_totals ADD COLUMN rep_nv INTEGER NOT NULL DEFAULT 0;  -- amount of the repayments without a voucher yet, in 分 (positive)

-- The day (China time) a voucher was attached: a repayment counts as without voucher until then.
ALTER TABLE entry_vouchers ADD COLUMN attached_on TEXT NOT NULL DEFAULT '';
UPDATE entry_vouchers SET attached_on = (SELECT recorded_on FROM entries WHERE entries.id = entry_vouchers.entry_id);

CREATE TABLE periods (
	id         INTEGER PRIMARY KEY,
	org_id     INTEGER NOT NULL REFERENCES orgs (id),  -- the office that opened the period
	no         INTEGER NOT NULL,                       -- 第N期, numbered per office
	kind       TEXT    NOT NULL,                       -- baseline, weekly, monthly or special
	title      TEXT    NOT NULL,
	starts_on  TEXT    NOT NULL,                       -- first day of the period: what was repaid from it counts as repaid in the period
	as_of      TEXT    NOT NULL,                       -- the figures are as of the end of this date
	deadline   TEXT    NOT NULL,
	note       TEXT    NOT NULL DEFAULT '',
	created_by TEXT    NOT NULL,
	created_at TEXT    NOT NULL,
	UNIQUE (org_id, no)
) STRICT;

CREATE TABLE submissions (
	id           INTEGER PRIMARY KEY,
	period_id    INTEGER NOT NULL REFERENCES periods (id),
	org_id       INTEGER NOT NULL REFERENCES orgs (id),  -- the group reporting
	state        TEXT    NOT NULL,                       -- prepared, reviewed, approved or returned
	zero         INTEGER NOT NULL DEFAULT 0,             -- a zero report (零报告)
	narrative    TEXT    NOT NULL DEFAULT '',
	explanation  TEXT    NOT NULL DEFAULT '',            -- why the figures differ from the ledger, when they do
	figures      TEXT    NOT NULL,                       -- the figures computed from the ledger when prepared, JSON: what the sign-off signs
	known_at     TEXT    NOT NULL,                       -- when the figures were computed
	flags        TEXT    NOT NULL DEFAULT '[]',          -- JSON list of why a zero report does not match the ledger
	submitted_at TEXT,                                   -- when it was approved (报送)
	late         INTEGER NOT NULL DEFAULT 0,             -- approved after the period's deadline
	check_result TEXT    NOT NULL DEFAULT '',            -- the office's verification of a zero report, '' until verified
	check_basis  TEXT    NOT NULL DEFAULT '',            -- what the verification rests on
	checked_by   TEXT    NOT NULL DEFAULT '',
	checked_at   TEXT,
	version      INTEGER NOT NULL DEFAULT 1,
	UNIQUE (period_id, org_id)
) STRICT;
CREATE INDEX submissions_org ON submissions (org_id);

CREATE TABLE submission_steps (
	submission_id INTEGER NOT NULL REFERENCES submissions (id),
	seq           INTEGER NOT NULL,
	action        TEXT    NOT NULL,  -- prepare, review, approve or return
	actor_id      INTEGER NOT NULL,  -- the user, 0 for an API token or the demo loader
	actor_name    TEXT    NOT NULL,
	note          TEXT    NOT NULL DEFAULT '',
	at            TEXT    NOT NULL,
	PRIMARY KEY (submission_id, seq)
) STRICT;

CREATE TABLE reports (
	period_id INTEGER PRIMARY KEY REFERENCES periods (id),
	body      TEXT    NOT NULL,  -- the issued report, JSON: printed again identically
	issued_by TEXT    NOT NULL,
	issued_at TEXT    NOT NULL
) STRICT;

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL  -- JSON
) STRICT;

CREATE TABLE notices (
	id         INTEGER PRIMARY KEY,
	org_id     INTEGER NOT NULL REFERENCES orgs (id),  -- the enterprise supervised
	no         TEXT    NOT NULL UNIQUE,                -- 清欠督〔year〕N号
	reason     TEXT    NOT NULL,
	actions    TEXT    NOT NULL,
	deadline   TEXT    NOT NULL,
	state      TEXT    NOT NULL,                       -- open, replied or closed
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
	level        TEXT    NOT NULL,  -- leader (分管负责同志) or principal (主要负责同志)
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
	done_on      TEXT,                        -- NULL until done
	follow_up    TEXT    NOT NULL DEFAULT ''  -- the office's follow-up
) STRICT;
CREATE INDEX commitments_interview ON commitments (interview_id);
