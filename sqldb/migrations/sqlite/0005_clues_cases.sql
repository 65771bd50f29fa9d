-- Complaint clues and court cases, and the holiday calendar their deadlines are counted on.
-- The calendar's shipped years are loaded from migrations/holidays-cn.csv by the migration.

CREATE TABLE calendar_years (
	year       INTEGER PRIMARY KEY,
	source     TEXT    NOT NULL,  -- the State Council notice the year's days come from
	created_by TEXT    NOT NULL,
	created_at TEXT    NOT NULL
) STRICT;

CREATE TABLE calendar_days (
	day  TEXT PRIMARY KEY,
	kind TEXT NOT NULL,  -- off (rest day) or workday (make-up working day)
	name TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE clues (
	id                 INTEGER PRIMARY KEY,
	no                 TEXT    NOT NULL UNIQUE,                     -- TS-year-NNNN
	channel            TEXT    NOT NULL,                            -- callback, state_council, province, portal, audit, platform, inspection, direct or other
	transfer_no        TEXT    NOT NULL DEFAULT '',                 -- the number given by the office that forwarded the clue
	received_on        TEXT    NOT NULL,
	creditor_id        INTEGER NOT NULL REFERENCES creditors (id),  -- the complainant
	respondent         TEXT    NOT NULL,                            -- the unit complained about, as the complainant named it
	claimed            INTEGER NOT NULL,                            -- the amount claimed, in 分
	text               TEXT    NOT NULL,
	office_id          INTEGER NOT NULL REFERENCES orgs (id),       -- the office that registered the clue
	org_id             INTEGER REFERENCES orgs (id),                -- the unit handling it, NULL until assigned
	responsible_leader TEXT    NOT NULL DEFAULT '',
	responsible_person TEXT    NOT NULL DEFAULT '',
	assigned_on        TEXT,                                        -- the first assignment: the 30 days of the written result count from it
	forward_due_on     TEXT,                                        -- the 10th working day after receipt, NULL when the calendar lacks the year
	result_due_on      TEXT,                                        -- 30 days after assignment, ending on a working day
	extended_due_on    TEXT,                                        -- the deadline as extended by the office, at most 90 days after assignment
	extend_reason      TEXT    NOT NULL DEFAULT '',
	deadline_note      TEXT    NOT NULL DEFAULT '',                 -- why a deadline could not be computed (a year missing from the calendar)
	state              TEXT    NOT NULL,                            -- received, assigned, verified or closed
	conclusion         TEXT    NOT NULL DEFAULT '',                 -- true, partly, out_of_scope or withdrawn, '' until verified
	out_reason         TEXT    NOT NULL DEFAULT '',                 -- why it is outside the clearance (one of the listed reasons)
	finding            TEXT    NOT NULL DEFAULT '',                 -- what the verification found
	verified_on        TEXT,
	verified_by        TEXT    NOT NULL DEFAULT '',
	missing_debt       INTEGER NOT NULL DEFAULT 0,                  -- true when the clue revealed a debt missing from the ledger
	closed_on          TEXT,
	closed_by          TEXT    NOT NULL DEFAULT '',
	feedback_on        TEXT,                                        -- when the written feedback went to the complainant
	feedback           TEXT    NOT NULL DEFAULT '',
	callback_on        TEXT,                                        -- when the complainant was called back
	satisfaction       TEXT    NOT NULL DEFAULT '',                 -- the complainant's satisfaction on the call
	search             TEXT    NOT NULL DEFAULT '',
	version            INTEGER NOT NULL DEFAULT 1,
	created_at         TEXT    NOT NULL
) STRICT;
CREATE INDEX clues_org ON clues (org_id);
CREATE INDEX clues_office ON clues (office_id);

CREATE TABLE clue_items (
	clue_id INTEGER NOT NULL REFERENCES clues (id),
	item_id INTEGER NOT NULL REFERENCES items (id),
	PRIMARY KEY (clue_id, item_id)
) STRICT;
CREATE INDEX clue_items_item ON clue_items (item_id);

CREATE TABLE clue_updates (
	clue_id    INTEGER NOT NULL REFERENCES clues (id),
	seq        INTEGER NOT NULL,
	on_date    TEXT    NOT NULL,  -- the date of the progress reported
	text       TEXT    NOT NULL,
	actor_name TEXT    NOT NULL,
	at         TEXT    NOT NULL,
	PRIMARY KEY (clue_id, seq)
) STRICT;

CREATE TABLE cases (
	id          INTEGER PRIMARY KEY,
	org_id      INTEGER NOT NULL REFERENCES orgs (id),  -- the unit handling the case
	kind        TEXT    NOT NULL,                       -- litigation, arbitration, mediation or bankruptcy
	body        TEXT    NOT NULL,                       -- the court, arbitration commission or administrator
	case_no     TEXT    NOT NULL UNIQUE,
	filed_on    TEXT    NOT NULL,
	stage       TEXT    NOT NULL,                       -- filed, hearing, mediation, judgment, enforcement or closed: the stage of the latest event by date
	claimed     INTEGER NOT NULL,                       -- in 分
	decided     INTEGER NOT NULL DEFAULT 0,             -- confirmed by judgments and mediation so far, in 分
	responsible TEXT    NOT NULL DEFAULT '',
	next_step   TEXT    NOT NULL DEFAULT '',
	expected_on TEXT,                                   -- when the next step is expected
	version     INTEGER NOT NULL DEFAULT 1,
	created_at  TEXT    NOT NULL
) STRICT;
CREATE INDEX cases_org ON cases (org_id);

CREATE TABLE case_items (
	case_id INTEGER NOT NULL REFERENCES cases (id),
	item_id INTEGER NOT NULL REFERENCES items (id),
	PRIMARY KEY (case_id, item_id)
) STRICT;
CREATE INDEX case_items_item ON case_items (item_id);

CREATE TABLE case_events (
	case_id    INTEGER NOT NULL REFERENCES cases (id),
	seq        INTEGER NOT NULL,
	on_date    TEXT    NOT NULL,
	stage      TEXT    NOT NULL,
	text       TEXT    NOT NULL,
	confirmed  INTEGER NOT NULL DEFAULT 0,  -- confirmed by a decision, in 分 (a reclassification entry on item_id)
	reduced    INTEGER NOT NULL DEFAULT 0,  -- reduced by a decision, in 分 (a court reduction entry on item_id)
	item_id    INTEGER NOT NULL DEFAULT 0,  -- the item a decision moved, 0 for none
	actor_name TEXT    NOT NULL,
	at         TEXT    NOT NULL,
	PRIMARY KEY (case_id, seq)
) STRICT;
