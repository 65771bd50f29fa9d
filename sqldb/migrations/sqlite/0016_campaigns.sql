-- Campaigns (回头看, 自查, 自查自纠, 整改, 专项督查) with the units asked and their answers signed
-- off like submissions; circulars sent down with their receipts; the causes of complaints and
-- arrears.

CREATE TABLE campaigns (
	id         INTEGER PRIMARY KEY,
	office_id  INTEGER NOT NULL REFERENCES orgs (id),  -- the office that launched it
	kind       TEXT    NOT NULL,                       -- review, selfcheck, selfcorrect, rectify or inspection
	title      TEXT    NOT NULL,
	basis      TEXT    NOT NULL DEFAULT '',            -- the document it answers
	scope      TEXT    NOT NULL,                       -- groups or subsidiaries
	checklist  TEXT    NOT NULL,                       -- JSON array of what each unit examines
	starts_on  TEXT    NOT NULL,
	target_on  TEXT    NOT NULL,
	rhythm     TEXT    NOT NULL,                       -- none, weekly or monthly
	state      TEXT    NOT NULL,                       -- open or closed
	summary    TEXT    NOT NULL DEFAULT '',            -- the office's summary at closing
	created_by TEXT    NOT NULL,
	created_at TEXT    NOT NULL,
	closed_by  TEXT    NOT NULL DEFAULT '',
	closed_at  TEXT,
	version    INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE campaign_units (
	campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
	org_id      INTEGER NOT NULL REFERENCES orgs (id),  -- a unit asked to answer
	PRIMARY KEY (campaign_id, org_id)
) STRICT;

CREATE TABLE campaign_answers (
	id             INTEGER PRIMARY KEY,
	campaign_id    INTEGER NOT NULL REFERENCES campaigns (id),
	org_id         INTEGER NOT NULL REFERENCES orgs (id),
	state          TEXT    NOT NULL,           -- prepared, reviewed, approved or returned
	findings       TEXT    NOT NULL,           -- JSON: the checklist answered item by item
	found_items    INTEGER NOT NULL DEFAULT 0, -- items of origin selfcheck recorded in the unit's subtree since the start
	found          INTEGER NOT NULL DEFAULT 0, -- their recognised amount, in 分
	reversed_count INTEGER NOT NULL DEFAULT 0, -- repayments reversed since the start
	reversed       INTEGER NOT NULL DEFAULT 0, -- their amount, in 分 (positive)
	prepared_at    TEXT    NOT NULL,
	version        INTEGER NOT NULL DEFAULT 1,
	UNIQUE (campaign_id, org_id)
) STRICT;

CREATE TABLE campaign_steps (
	answer_id  INTEGER NOT NULL REFERENCES campaign_answers (id),
	seq        INTEGER NOT NULL,
	action     TEXT    NOT NULL,  -- prepare, review, approve or return
	actor_id   INTEGER NOT NULL,
	actor_name TEXT    NOT NULL,
	note       TEXT    NOT NULL DEFAULT '',
	at         TEXT    NOT NULL,
	PRIMARY KEY (answer_id, seq)
) STRICT;

CREATE TABLE circulars (
	id             INTEGER PRIMARY KEY,
	org_id         INTEGER NOT NULL REFERENCES orgs (id),  -- the sender
	parent_id      INTEGER REFERENCES circulars (id),      -- the circular passed down, NULL when sent by the office
	no             TEXT    NOT NULL DEFAULT '',            -- the document's number
	title          TEXT    NOT NULL,
	body           TEXT    NOT NULL,
	attachments    TEXT    NOT NULL DEFAULT '[]',          -- JSON array of voucher SHA-256
	reply_required INTEGER NOT NULL,
	reply_due_on   TEXT,                                   -- NULL when no reply is asked
	target         TEXT    NOT NULL,                       -- all, chosen or rule
	rule_top       INTEGER NOT NULL DEFAULT 0,
	sent_on        TEXT    NOT NULL,
	sent_by        TEXT    NOT NULL,
	sent_at        TEXT    NOT NULL
) STRICT;

CREATE TABLE circular_receipts (
	circular_id INTEGER NOT NULL REFERENCES circulars (id),
	org_id      INTEGER NOT NULL REFERENCES orgs (id),  -- a recipient
	read_by     TEXT    NOT NULL DEFAULT '',
	read_at     TEXT,                                   -- 签收, NULL until signed for
	reply       TEXT    NOT NULL DEFAULT '',
	replied_by  TEXT    NOT NULL DEFAULT '',
	replied_at  TEXT,
	PRIMARY KEY (circular_id, org_id)
) STRICT;
CREATE INDEX circular_receipts_org ON circular_receipts (org_id);

-- The files attached to a circular, so that its recipients may open them.
CREATE TABLE circular_files (
	circular_id INTEGER NOT NULL REFERENCES circulars (id),
	sha256      TEXT   NOT NULL REFERENCES vouchers (sha256),
	PRIMARY KEY (circular_id, sha256)
) STRICT;
CREATE INDEX circular_files_sha ON circular_files (sha256);

CREATE TABLE causes (
	subject     TEXT    NOT NULL,                       -- clue or item
	subject_id  INTEGER NOT NULL,
	org_id      INTEGER NOT NULL REFERENCES orgs (id),  -- the unit handling the clue, or the debtor
	item_kind   TEXT    NOT NULL DEFAULT '',            -- the kind of debt, '' when unknown
	on_date     TEXT    NOT NULL,                       -- a clue's receipt, an item's arising
	cause       TEXT    NOT NULL,                       -- funds, unsettled, acceptance, dispute, upstream, process or other
	note        TEXT    NOT NULL DEFAULT '',
	recorded_by TEXT    NOT NULL,
	recorded_at TEXT    NOT NULL,
	PRIMARY KEY (subject, subject_id)
) STRICT;
CREATE INDEX causes_org ON causes (org_id);
