-- Bills handed to creditors (商业汇票, 电子债权凭证), counted as repaid only when honoured, and bank
-- statements whose lines prove repayments. A bill is not an entry: honouring it writes the
-- repayment entry (entry_id); a dishonour after honouring writes its reversal (reversal_id).

CREATE TABLE bills (
	id           INTEGER PRIMARY KEY,
	item_id      INTEGER NOT NULL REFERENCES items (id),
	kind         TEXT    NOT NULL,                  -- commercial or receivable
	no           TEXT    NOT NULL,                  -- the bill's or voucher's number
	amount       INTEGER NOT NULL,                  -- 分
	part         TEXT    NOT NULL,                  -- undisputed or disputed
	issued_on    TEXT    NOT NULL,
	handed_on    TEXT    NOT NULL,                  -- handed to the creditor: from then on it counts as not yet honoured
	matures_on   TEXT    NOT NULL,
	acceptor     TEXT    NOT NULL,
	note         TEXT    NOT NULL DEFAULT '',
	state        TEXT    NOT NULL,                  -- pending, honoured or dishonoured
	honoured_on    TEXT,                            -- the day it was honoured
	dishonoured_on TEXT,                            -- the day it was dishonoured
	close_reason TEXT    NOT NULL DEFAULT '',
	entry_id     INTEGER REFERENCES entries (id),   -- the repayment written on honour
	reversal_id  INTEGER REFERENCES entries (id),   -- its reversal, on a dishonour after honouring
	recorded_at  TEXT    NOT NULL,
	honoured_at    TEXT,                            -- when the honour was recorded
	dishonoured_at TEXT,                            -- when the dishonour was recorded
	actor_name   TEXT    NOT NULL,
	UNIQUE (item_id, no)
) STRICT;
CREATE INDEX bills_pending ON bills (state, matures_on);
CREATE INDEX bills_handed ON bills (handed_on);
CREATE INDEX bills_no ON bills (no);

CREATE TABLE bank_statements (
	id          INTEGER PRIMARY KEY,
	org_id      INTEGER NOT NULL REFERENCES orgs (id),
	file_name   TEXT    NOT NULL,
	lines       INTEGER NOT NULL,
	from_on     TEXT    NOT NULL,
	to_on       TEXT    NOT NULL,
	imported_at TEXT    NOT NULL,
	actor_name  TEXT    NOT NULL
) STRICT;
CREATE INDEX bank_statements_org ON bank_statements (org_id);

CREATE TABLE statement_lines (
	id            INTEGER PRIMARY KEY,
	statement_id  INTEGER NOT NULL REFERENCES bank_statements (id),
	org_id        INTEGER NOT NULL REFERENCES orgs (id),
	row_no        INTEGER NOT NULL,                  -- the row of the file
	on_date       TEXT    NOT NULL,
	amount        INTEGER NOT NULL,                  -- 分, paid out
	payee_name    TEXT    NOT NULL,
	payee_account TEXT    NOT NULL DEFAULT '',
	memo          TEXT    NOT NULL DEFAULT '',
	serial_no     TEXT    NOT NULL,                  -- 流水号, unique within the unit
	UNIQUE (org_id, serial_no)
) STRICT;
CREATE INDEX statement_lines_statement ON statement_lines (statement_id);

-- A line proves at most one repayment and a repayment has at most one line.
CREATE TABLE repayment_lines (
	line_id    INTEGER NOT NULL UNIQUE REFERENCES statement_lines (id),
	entry_id   INTEGER NOT NULL UNIQUE REFERENCES entries (id),
	manual     INTEGER NOT NULL DEFAULT 0,           -- 1 when matched by a person
	matched_at TEXT    NOT NULL,
	actor_name TEXT    NOT NULL
) STRICT;
