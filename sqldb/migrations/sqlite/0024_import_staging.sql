-- A ledger import is staged in chunks, each committed on its own, and published in one short
-- transaction (ADR 28): imports records each import, import_items holds its new items until
-- they are published, and an item published by an import carries its id.

CREATE TABLE imports (
	id           INTEGER PRIMARY KEY,
	kind         TEXT    NOT NULL,                       -- ledger
	state        TEXT    NOT NULL,                       -- staging, published or failed
	actor_id     INTEGER NOT NULL DEFAULT 0,
	actor_name   TEXT    NOT NULL,
	org_path     TEXT    NOT NULL,                       -- the importing actor's unit
	file_sha256  TEXT    NOT NULL DEFAULT '',            -- the file's digest, '' when the caller gave none
	items        INTEGER NOT NULL DEFAULT 0,             -- items published
	host         TEXT    NOT NULL DEFAULT '',            -- where the staging process runs, and its id:
	pid          INTEGER NOT NULL DEFAULT 0,             -- a crashed one's staging rows are swept at start-up
	started_at   TEXT    NOT NULL,
	touched_at   TEXT    NOT NULL,                       -- the last chunk staged
	published_at TEXT
) STRICT;
CREATE INDEX imports_state ON imports (state, touched_at);

CREATE TABLE import_items (
	import_id      INTEGER NOT NULL REFERENCES imports (id),
	place          INTEGER NOT NULL,                     -- the row's place in the file, from 1
	sheet          TEXT    NOT NULL DEFAULT '',
	row_no         INTEGER NOT NULL,                     -- the row of the sheet, for messages
	org_id         INTEGER NOT NULL,
	org_path       TEXT    NOT NULL,
	creditor_id    INTEGER NOT NULL,                     -- from 2^62: a creditor the publication registers
	no             TEXT    NOT NULL DEFAULT '',
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
	status         TEXT    NOT NULL,
	PRIMARY KEY (import_id, place)
) STRICT;

ALTER TABLE items ADD COLUMN import_id INTEGER REFERENCES imports (id);
CREATE INDEX items_import ON items (import_id, id) WHERE import_id IS NOT NULL;
