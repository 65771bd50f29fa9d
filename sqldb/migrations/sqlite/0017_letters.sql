-- Confirmation letters (询证函): repayments selected for confirmation by their creditors, one
-- letter per debtor unit and creditor, the creditors' replies, and the finding a disputed reply
-- opens until a reversal, a corrected amount or a complaint clue resolves it.

CREATE TABLE letter_batches (
	id           INTEGER PRIMARY KEY,
	issuer_id    INTEGER NOT NULL REFERENCES orgs (id),  -- the office or group that selected
	org_id       INTEGER NOT NULL REFERENCES orgs (id),  -- the subtree selected from
	mode         TEXT    NOT NULL,                       -- creditor, above or sample
	creditor_id  INTEGER NOT NULL DEFAULT 0,
	min_amount   INTEGER NOT NULL DEFAULT 0,             -- in 分
	sample_size  INTEGER NOT NULL DEFAULT 0,
	seed         INTEGER NOT NULL DEFAULT 0,             -- the sample's seed: the same candidates and seed draw the same sample
	from_on      TEXT,
	to_on        TEXT,
	reply_due_on TEXT    NOT NULL,
	candidates   INTEGER NOT NULL,                       -- repayments the selection drew from
	max_entry_id INTEGER NOT NULL,                       -- the last entry there was: the candidates are among those up to it
	created_by   TEXT    NOT NULL,
	created_at   TEXT    NOT NULL
) STRICT;

CREATE TABLE letters (
	id              INTEGER PRIMARY KEY,
	batch_id        INTEGER NOT NULL REFERENCES letter_batches (id),
	no              TEXT    NOT NULL UNIQUE,                     -- 询证〔year〕第NNNN号
	code            TEXT    NOT NULL,                            -- the verification code printed on the letter
	issuer_id       INTEGER NOT NULL REFERENCES orgs (id),
	org_id          INTEGER NOT NULL REFERENCES orgs (id),       -- the debtor unit
	creditor_id     INTEGER NOT NULL REFERENCES creditors (id),
	issued_on       TEXT    NOT NULL,
	reply_due_on    TEXT    NOT NULL,
	total           INTEGER NOT NULL,                            -- the repayments asked, in 分
	state           TEXT    NOT NULL,                            -- sent, confirmed or disputed
	replied_on      TEXT,
	reply_channel   TEXT    NOT NULL DEFAULT '',                 -- office or creditor
	reply_note      TEXT    NOT NULL DEFAULT '',
	reply_voucher   TEXT    NOT NULL DEFAULT '',                 -- SHA-256 of the scanned reply
	creditor_total  INTEGER NOT NULL DEFAULT 0,                  -- what the creditor says it received, in 分
	replied_by      TEXT    NOT NULL DEFAULT '',
	replied_at      TEXT,
	finding_state   TEXT    NOT NULL DEFAULT '',                 -- '', open or resolved
	resolution      TEXT    NOT NULL DEFAULT '',                 -- reversal, corrected or clue
	resolution_ref  INTEGER NOT NULL DEFAULT 0,                  -- the entry or clue that resolved it
	resolution_note TEXT    NOT NULL DEFAULT '',
	resolved_by     TEXT    NOT NULL DEFAULT '',
	resolved_at     TEXT,
	created_by      TEXT    NOT NULL,
	created_at      TEXT    NOT NULL,
	version         INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX letters_org ON letters (org_id);
CREATE INDEX letters_batch ON letters (batch_id);

CREATE TABLE letter_lines (
	letter_id       INTEGER NOT NULL REFERENCES letters (id),
	entry_id        INTEGER NOT NULL UNIQUE REFERENCES entries (id),  -- a repayment is asked once
	amount          INTEGER NOT NULL,                                 -- as recorded, in 分
	creditor_amount INTEGER,                                          -- what the creditor says, NULL when it gave none
	PRIMARY KEY (letter_id, entry_id)
) STRICT;
