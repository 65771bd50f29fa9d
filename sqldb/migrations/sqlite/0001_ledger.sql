-- The ledger: the org tree, creditors, items, entries, plans, vouchers, running totals and the
-- audit chain. Timestamps are RFC 3339 UTC text with microseconds; dates are 'YYYY-MM-DD'.

CREATE TABLE orgs (
	id            INTEGER PRIMARY KEY,
	parent_id     INTEGER REFERENCES orgs (id),
	path          TEXT    NOT NULL UNIQUE,
	depth         INTEGER NOT NULL,
	name          TEXT    NOT NULL,
	short_name    TEXT    NOT NULL DEFAULT '',
	uscc          TEXT    NOT NULL DEFAULT '',
	kind          TEXT    NOT NULL,
	leader_name   TEXT    NOT NULL DEFAULT '',
	department    TEXT    NOT NULL DEFAULT '',
	liaison_name  TEXT    NOT NULL DEFAULT '',
	liaison_phone TEXT    NOT NULL DEFAULT '',
	active        INTEGER NOT NULL DEFAULT 1,
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
	uscc             TEXT    NOT NULL UNIQUE,
	ownership        TEXT    NOT NULL,
	size             TEXT    NOT NULL DEFAULT '',
	size_declared_on TEXT,
	size_evidence    TEXT    NOT NULL DEFAULT '',
	region           TEXT    NOT NULL DEFAULT '',
	search           TEXT    NOT NULL DEFAULT '',
	version          INTEGER NOT NULL DEFAULT 1,
	created_at       TEXT    NOT NULL,
	updated_at       TEXT    NOT NULL
) STRICT;

CREATE TABLE items (
	id             INTEGER PRIMARY KEY,
	no             TEXT    NOT NULL DEFAULT '',
	org_id         INTEGER NOT NULL REFERENCES orgs (id),
	creditor_id    INTEGER NOT NULL REFERENCES creditors (id),
	contract_no    TEXT    NOT NULL DEFAULT '',
	contract_name  TEXT    NOT NULL DEFAULT '',
	kind           TEXT    NOT NULL,
	arisen_on      TEXT    NOT NULL,
	due_on         TEXT,
	undisputed     INTEGER NOT NULL,
	disputed       INTEGER NOT NULL,
	dispute_reason TEXT    NOT NULL DEFAULT '',
	funding_source TEXT    NOT NULL DEFAULT '',
	origin         TEXT    NOT NULL,
	responsible    TEXT    NOT NULL DEFAULT '',
	note           TEXT    NOT NULL DEFAULT '',
	search         TEXT    NOT NULL DEFAULT '',
	-- the current balance, kept with each entry so that lists filter and sort on it
	rec_u          INTEGER NOT NULL DEFAULT 0,
	rec_d          INTEGER NOT NULL DEFAULT 0,
	rep_u          INTEGER NOT NULL DEFAULT 0,
	rep_d          INTEGER NOT NULL DEFAULT 0,
	out_u          INTEGER NOT NULL DEFAULT 0,
	out_d          INTEGER NOT NULL DEFAULT 0,
	status         TEXT    NOT NULL DEFAULT 'unpaid',
	version        INTEGER NOT NULL DEFAULT 1,
	created_at     TEXT    NOT NULL,
	created_on     TEXT    NOT NULL,
	updated_at     TEXT    NOT NULL
) STRICT;
CREATE INDEX items_org ON items (org_id, id);
CREATE INDEX items_creditor ON items (creditor_id);
CREATE INDEX items_created ON items (created_at);
CREATE UNIQUE INDEX items_no ON items (org_id, no) WHERE no <> '';

CREATE TABLE entries (
	id          INTEGER PRIMARY KEY,
	item_id     INTEGER NOT NULL REFERENCES items (id),
	kind        TEXT    NOT NULL,
	cat         TEXT    NOT NULL,
	on_date     TEXT    NOT NULL,
	recorded_at TEXT    NOT NULL,
	recorded_on TEXT    NOT NULL,
	backdated   INTEGER NOT NULL,
	du          INTEGER NOT NULL,
	dd          INTEGER NOT NULL,
	method      TEXT    NOT NULL DEFAULT '',
	voucher_no  TEXT    NOT NULL DEFAULT '',
	reason      TEXT    NOT NULL DEFAULT '',
	reverses_id INTEGER UNIQUE REFERENCES entries (id),
	actor_id    INTEGER NOT NULL DEFAULT 0,
	actor_name  TEXT    NOT NULL
) STRICT;
CREATE INDEX entries_item ON entries (item_id, id);
CREATE INDEX entries_recorded ON entries (recorded_at);

CREATE TABLE plan_revisions (
	item_id    INTEGER NOT NULL REFERENCES items (id),
	revision   INTEGER NOT NULL,
	reason     TEXT    NOT NULL DEFAULT '',
	actor_name TEXT    NOT NULL,
	created_at TEXT    NOT NULL,
	PRIMARY KEY (item_id, revision)
) STRICT;

CREATE TABLE plan_instalments (
	item_id        INTEGER NOT NULL,
	revision       INTEGER NOT NULL,
	seq            INTEGER NOT NULL,
	due_on         TEXT    NOT NULL,
	amount         INTEGER NOT NULL,
	funding_source TEXT    NOT NULL DEFAULT '',
	note           TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (item_id, revision, seq),
	FOREIGN KEY (item_id, revision) REFERENCES plan_revisions (item_id, revision)
) STRICT;

CREATE TABLE vouchers (
	sha256       TEXT    PRIMARY KEY,
	size         INTEGER NOT NULL,
	content_type TEXT    NOT NULL,
	name         TEXT    NOT NULL,
	created_at   TEXT    NOT NULL
) STRICT;

-- Who uploaded a file: each unit that did may attach it, and the units above it may see it.
CREATE TABLE voucher_uploads (
	sha256   TEXT NOT NULL REFERENCES vouchers (sha256),
	org_path TEXT NOT NULL,
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
	org_id INTEGER NOT NULL,
	day    TEXT    NOT NULL,
	rec_day TEXT   NOT NULL,
	kind   TEXT    NOT NULL,
	origin TEXT    NOT NULL,
	items  INTEGER NOT NULL,
	rec_u  INTEGER NOT NULL,
	rec_d  INTEGER NOT NULL,
	rep_u  INTEGER NOT NULL,
	rep_d  INTEGER NOT NULL,
	adj_u  INTEGER NOT NULL,
	adj_d  INTEGER NOT NULL,
	PRIMARY KEY (org_id, day, rec_day, kind, origin)
) STRICT, WITHOUT ROWID;

CREATE TABLE idempotency_keys (
	scope        TEXT    NOT NULL,
	key          TEXT    NOT NULL,
	request_hash TEXT    NOT NULL,
	entry_id     INTEGER NOT NULL REFERENCES entries (id),
	created_at   TEXT    NOT NULL,
	PRIMARY KEY (scope, key)
) STRICT;

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	name         TEXT    NOT NULL,
	org_id       INTEGER NOT NULL REFERENCES orgs (id),
	roles        TEXT    NOT NULL,
	hash         TEXT    NOT NULL UNIQUE,
	created_at   TEXT    NOT NULL,
	last_used_at TEXT,
	revoked_at   TEXT
) STRICT;

CREATE TABLE audit_log (
	seq         INTEGER PRIMARY KEY,
	at          TEXT    NOT NULL,
	actor_id    INTEGER NOT NULL,
	actor_name  TEXT    NOT NULL,
	org_path    TEXT    NOT NULL,
	action      TEXT    NOT NULL,
	entity      TEXT    NOT NULL,
	entity_id   INTEGER NOT NULL,
	before_json TEXT    NOT NULL DEFAULT '',
	after_json  TEXT    NOT NULL DEFAULT '',
	prev_hash   TEXT    NOT NULL,
	hash        TEXT    NOT NULL
) STRICT;
CREATE INDEX audit_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_org ON audit_log (org_path);

-- The head of the chain: one row, updated in every auditing transaction, which serialises
-- writers of the chain on both databases.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash TEXT    NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
