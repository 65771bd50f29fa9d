-- Complaint clues and court cases, and the holiday calendar their deadlines are counted on.
-- The calendar's shipped years are loaded from migrations/holidays-cn.csv by the migration.

CREATE TABLE calendar_years (
	year       INTEGER PRIMARY KEY,
	source     TEXT    NOT NULL,
	created_by TEXT    NOT NULL,
	created_at TEXT    NOT NULL
) STRICT;

CREATE TABLE calendar_days (
	day  TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE clues (
	id                 INTEGER PRIMARY KEY,
	no                 TEXT    NOT NULL UNIQUE,
	channel            TEXT    NOT NULL,
	transfer_no        TEXT    NOT NULL DEFAULT '',
	received_on        TEXT    NOT NULL,
	creditor_id        INTEGER NOT NULL REFERENCES creditors (id),
	respondent         TEXT    NOT NULL,
	claimed            INTEGER NOT NULL,
	text               TEXT    NOT NULL,
	office_id          INTEGER NOT NULL REFERENCES orgs (id),
	org_id             INTEGER REFERENCES orgs (id),
	responsible_leader TEXT    NOT NULL DEFAULT '',
	responsible_person TEXT    NOT NULL DEFAULT '',
	assigned_on        TEXT,
	forward_due_on     TEXT,
	result_due_on      TEXT,
	extended_due_on    TEXT,
	extend_reason      TEXT    NOT NULL DEFAULT '',
	deadline_note      TEXT    NOT NULL DEFAULT '',
	state              TEXT    NOT NULL,
	conclusion         TEXT    NOT NULL DEFAULT '',
	out_reason         TEXT    NOT NULL DEFAULT '',
	finding            TEXT    NOT NULL DEFAULT '',
	verified_on        TEXT,
	verified_by        TEXT    NOT NULL DEFAULT '',
	missing_debt       INTEGER NOT NULL DEFAULT 0,
	closed_on          TEXT,
	closed_by          TEXT    NOT NULL DEFAULT '',
	feedback_on        TEXT,
	feedback           TEXT    NOT NULL DEFAULT '',
	callback_on        TEXT,
	satisfaction       TEXT    NOT NULL DEFAULT '',
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
	on_date    TEXT    NOT NULL,
	text       TEXT    NOT NULL,
	actor_name TEXT    NOT NULL,
	at         TEXT    NOT NULL,
	PRIMARY KEY (clue_id, seq)
) STRICT;

CREATE TABLE cases (
	id          INTEGER PRIMARY KEY,
	org_id      INTEGER NOT NULL REFERENCES orgs (id),
	kind        TEXT    NOT NULL,
	body        TEXT    NOT NULL,
	case_no     TEXT    NOT NULL UNIQUE,
	filed_on    TEXT    NOT NULL,
	stage       TEXT    NOT NULL,
	claimed     INTEGER NOT NULL,
	decided     INTEGER NOT NULL DEFAULT 0,
	responsible TEXT    NOT NULL DEFAULT '',
	next_step   TEXT    NOT NULL DEFAULT '',
	expected_on TEXT,
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
	confirmed  INTEGER NOT NULL DEFAULT 0,
	reduced    INTEGER NOT NULL DEFAULT 0,
	item_id    INTEGER NOT NULL DEFAULT 0,
	actor_name TEXT    NOT NULL,
	at         TEXT    NOT NULL,
	PRIMARY KEY (case_id, seq)
) STRICT;
