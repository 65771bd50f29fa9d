-- The ledger: the org tree, creditors, items, entries, plans, vouchers, running totals and the
-- audit chain. Timestamps are RFC 3339 UTC text with microseconds; dates are 'YYYY-MM-DD'.
-- Amounts are integers in 分 (0.01 元). A version column counts a row's changes: an update names
-- the version it read. A search column holds the lower-cased text the row is found by.

CREATE TABLE orgs (
	id            INTEGER PRIMARY KEY,
	parent_id     INTEGER REFERENCES orgs (id),
	path          TEXT    NOT NULL UNIQUE,      -- ids from the root down, '/1/4/17/': a subtree is one range of paths
	depth         INTEGER NOT NULL,             -- 0 for the root
	name          TEXT    NOT NULL,
	short_name    TEXT    NOT NULL DEFAULT '',
	uscc          TEXT    NOT NULL DEFAULT '',  -- 统一社会信用代码, '' when not given (unique when given)
	kind          TEXT    NOT NULL,             -- regulator, group or subsidiary
	leader_name   TEXT    NOT NULL DEFAULT '',
	department    TEXT    NOT NULL DEFAULT '',
	liaison_name  TEXT    NOT NULL DEFAULT '',
	liaison_phone TEXT    NOT NULL DEFAULT '',
	active        INTEGER NOT NULL DEFAULT 1,   -- false once deactivated (停用): a unit is kept for its history
	search        TEXT    NOT NULL DEFAULT '',
	version       INTEGER NOT NULL DEFAULT 1,
	created_at    TEXT    NOT NULL,
	updated_at    TEXT    NOT NULL
) STRICT;
CREATE INDEX orgs_parent ON orgs (parent_id);
CREATE UNIQUE INDEX orgs_uscc ON orgs (uscc) WHERE uscc <> '';

CREATE TABLE creditors (
	id               INTEGER PRIMARY KEY,
	name             TEXT    NOT NULL,
	uscc             TEXT    NOT NULL UNIQUE,      -- one creditor per USCC
	ownership        TEXT    NOT NULL,             -- private, state, foreign or individual
	size             TEXT    NOT NULL DEFAULT '',  -- declared at signing (中小企业划型): micro, small, medium, large, or '' when not declared
	size_declared_on TEXT,                         -- when the size was declared: it is never reclassified from a later size
	size_evidence    TEXT    NOT NULL DEFAULT '',  -- what the declaration rests on
	region           TEXT    NOT NULL DEFAULT '',
	search           TEXT    NOT NULL DEFAULT '',
	version          INTEGER NOT NULL DEFAULT 1,
	created_at       TEXT    NOT NULL,
	updated_at       TEXT    NOT NULL
) STRICT;

CREATE TABLE items (
	id             INTEGER PRIMARY KEY,
	no             TEXT    NOT NULL DEFAULT '',            -- 台账编号, unique within the debtor unit when given
	org_id         INTEGER NOT NULL REFERENCES orgs (id),  -- the debtor unit
	creditor_id    INTEGER NOT NULL REFERENCES creditors (id),
	contract_no    TEXT    NOT NULL DEFAULT '',
	contract_name  TEXT    NOT NULL DEFAULT '',
	kind           TEXT    NOT NULL,                       -- works, goods, services, retention or other
	arisen_on      TEXT    NOT NULL,                       -- when the debt arose: the business date of its recognise entry
	due_on         TEXT,                                   -- when it fell due, NULL when unknown
	undisputed     INTEGER NOT NULL,                       -- recognised undisputed amount in 分 when the item was made, never changed (changes are entries)
	disputed       INTEGER NOT NULL,                       -- recognised disputed amount in 分, likewise
	dispute_reason TEXT    NOT NULL DEFAULT '',
	funding_source TEXT    NOT NULL DEFAULT '',            -- own, loan, fiscal, assets, other, or '' for not yet secured (未落实)
	origin         TEXT    NOT NULL,                       -- baseline (底数), selfcheck, complaint or new
	responsible    TEXT    NOT NULL DEFAULT '',
	note           TEXT    NOT NULL DEFAULT '',
	search         TEXT    NOT NULL DEFAULT '',
	-- the current balance, kept with each entry so that lists filter and sort on it
	rec_u          INTEGER NOT NULL DEFAULT 0,             -- recognised, undisputed part
	rec_d          INTEGER NOT NULL DEFAULT 0,             -- recognised, disputed part
	rep_u          INTEGER NOT NULL DEFAULT 0,             -- repaid, undisputed part (positive)
	rep_d          INTEGER NOT NULL DEFAULT 0,             -- repaid, disputed part (positive)
	out_u          INTEGER NOT NULL DEFAULT 0,             -- outstanding, undisputed part
	out_d          INTEGER NOT NULL DEFAULT 0,             -- outstanding, disputed part
	status         TEXT    NOT NULL DEFAULT 'unpaid',      -- unpaid, partial, cleared or closed, derived from the balance
	version        INTEGER NOT NULL DEFAULT 1,
	created_at     TEXT    NOT NULL,
	created_on     TEXT    NOT NULL,                       -- the day of created_at in China time: the item's recording day in the running totals
	updated_at     TEXT    NOT NULL
) STRICT;
CREATE INDEX items_org ON items (org_id, id);
CREATE INDEX items_creditor ON items (creditor_id);
CREATE INDEX items_created ON items (created_at);
CREATE UNIQUE INDEX items_no ON items (org_id, no) WHERE no <> '';

CREATE TABLE entries (
	id          INTEGER PRIMARY KEY,
	item_id     INTEGER NOT NULL REFERENCES items (id),
	kind        TEXT    NOT NULL,                        -- recognise, repay, adjust, court_reduction, write_off, reclassify or reversal
	cat         TEXT    NOT NULL,                        -- rec, rep or adj: what it moves in the totals (a reversal takes the category of the entry it reverses)
	on_date     TEXT    NOT NULL,                        -- the business date
	recorded_at TEXT    NOT NULL,                        -- when the system learnt of it
	recorded_on TEXT    NOT NULL,                        -- the day of recorded_at in China time
	backdated   INTEGER NOT NULL,                        -- true when on_date is before recorded_on
	du          INTEGER NOT NULL,                        -- signed change of the undisputed part outstanding, in 分 (a repayment is negative)
	dd          INTEGER NOT NULL,                        -- signed change of the disputed part outstanding, in 分
	method      TEXT    NOT NULL DEFAULT '',             -- of a repayment: transfer, cash, bill, receivable or offset
	voucher_no  TEXT    NOT NULL DEFAULT '',             -- the payment voucher's number as written on it
	reason      TEXT    NOT NULL DEFAULT '',
	reverses_id INTEGER UNIQUE REFERENCES entries (id),  -- the entry this one reverses: an entry is reversed at most once
	actor_id    INTEGER NOT NULL DEFAULT 0,              -- the user, 0 for an API token or the system (actor_name says which)
	actor_name  TEXT    NOT NULL
) STRICT;
CREATE INDEX entries_item ON entries (item_id, id);
CREATE INDEX entries_recorded ON entries (recorded_at);

CREATE TABLE plan_revisions (
	item_id    INTEGER NOT NULL REFERENCES items (id),
	revision   INTEGER NOT NULL,  -- 1, 2, ...: every revision of an item's plan is kept
	reason     TEXT    NOT NULL DEFAULT '',
	actor_name TEXT    NOT NULL,
	created_at TEXT    NOT NULL,
	PRIMARY KEY (item_id, revision)
) STRICT;

CREATE TABLE plan_instalments (
	item_id        INTEGER NOT NULL,
	revision       INTEGER NOT NULL,
	seq            INTEGER NOT NULL,  -- the instalment's place in its revision
	due_on         TEXT    NOT NULL,
	amount         INTEGER NOT NULL,  -- in 分
	funding_source TEXT    NOT NULL DEFAULT '',
	note           TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (item_id, revision, seq),
	FOREIGN KEY (item_id, revision) REFERENCES plan_revisions (item_id, revision)
) STRICT;

CREATE TABLE vouchers (
	sha256       TEXT    PRIMARY KEY,  -- of the content, hex: the file's name in the voucher store
	size         INTEGER NOT NULL,
	content_type TEXT    NOT NULL,     -- detected from the content, not from the name
	name         TEXT    NOT NULL,     -- the file name it was uploaded with
	created_at   TEXT    NOT NULL
) STRICT;

-- Who uploaded a file: each unit that did may attach it, and the units above it may see it.
CREATE TABLE voucher_uploads (
	sha256   TEXT NOT NULL REFERENCES vouchers (sha256),
	org_path TEXT NOT NULL,  -- the uploading unit's path
	PRIMARY KEY (sha256, org_path)
) STRICT;

CREATE TABLE entry_vouchers (
	entry_id INTEGER NOT NULL REFERENCES entries (id),
	sha256   TEXT    NOT NULL REFERENCES vouchers (sha256),
	PRIMARY KEY (entry_id, sha256)
) STRICT;
CREATE INDEX entry_vouchers_sha ON entry_vouchers (sha256);

-- Running totals per unit, including its whole subtree, per business day and per day the change
-- was recorded (China time): a subtree's figures as of any date, as known at any day, are one index
-- range on (org_id, day).
CREATE TABLE org_totals (
	org_id INTEGER NOT NULL,  -- the unit: its rows sum its whole subtree
	day    TEXT    NOT NULL,  -- the business date of the changes
	rec_day TEXT   NOT NULL,  -- the day they were recorded, in China time
	kind   TEXT    NOT NULL,  -- the items' kind
	origin TEXT    NOT NULL,  -- the items' origin
	items  INTEGER NOT NULL,  -- items that arose on the day
	rec_u  INTEGER NOT NULL,  -- recognised, undisputed part, in 分
	rec_d  INTEGER NOT NULL,  -- recognised, disputed part
	rep_u  INTEGER NOT NULL,  -- repaid, undisputed part (positive)
	rep_d  INTEGER NOT NULL,  -- repaid, disputed part (positive)
	-- adjusted parts, signed: adjustments, court reductions, write-offs and reclassification
	-- (pay_n, pay_nv and rep_nv follow adj_d, added by 0004_reports.sql)
	adj_u  INTEGER NOT NULL,
	adj_d  INTEGER NOT NULL,
	PRIMARY KEY (org_id, day, rec_day, kind, origin)
) STRICT, WITHOUT ROWID;

CREATE TABLE idempotency_keys (
	scope        TEXT    NOT NULL,                          -- token:ID, user:ID or system:NAME, so that keys of different clients never collide
	key          TEXT    NOT NULL,                          -- the client's Idempotency-Key
	request_hash TEXT    NOT NULL,                          -- SHA-256 of the request: the same key with another request is refused
	entry_id     INTEGER NOT NULL REFERENCES entries (id),  -- the entry the first request recorded
	created_at   TEXT    NOT NULL,
	PRIMARY KEY (scope, key)
) STRICT;

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	name         TEXT    NOT NULL,
	org_id       INTEGER NOT NULL REFERENCES orgs (id),  -- the token reaches this unit's subtree
	roles        TEXT    NOT NULL,                       -- comma-separated
	hash         TEXT    NOT NULL UNIQUE,                -- SHA-256 of the secret, which is shown once
	created_at   TEXT    NOT NULL,
	last_used_at TEXT,                                   -- written at most once a minute
	revoked_at   TEXT
) STRICT;

CREATE TABLE audit_log (
	seq         INTEGER PRIMARY KEY,          -- the record's place in the chain, from 1
	at          TEXT    NOT NULL,
	actor_id    INTEGER NOT NULL,             -- the user, 0 for an API token or the system
	actor_name  TEXT    NOT NULL,
	org_path    TEXT    NOT NULL,             -- the path of the unit concerned, which decides who may read the record
	action      TEXT    NOT NULL,
	entity      TEXT    NOT NULL,
	entity_id   INTEGER NOT NULL,             -- 0 for none
	before_json TEXT    NOT NULL DEFAULT '',  -- the state before, JSON ('' for none)
	after_json  TEXT    NOT NULL DEFAULT '',  -- the state after, JSON ('' for none)
	prev_hash   TEXT    NOT NULL,             -- the previous record's hash ('' for the first)
	hash        TEXT    NOT NULL              -- SHA-256 over this record's length-prefixed fields and prev_hash
) STRICT;
CREATE INDEX audit_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_org ON audit_log (org_path);

-- The head of the chain: one row, updated in every auditing transaction, which serialises
-- writers of the chain on both databases.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,  -- the last record's seq
	hash TEXT    NOT NULL   -- the last record's hash
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
