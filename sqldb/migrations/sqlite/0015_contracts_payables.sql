-- Contracts with suppliers (合同台账), their dated events, the payables the payment rules derive
-- from them, and the LPR table the overdue interest is checked against. The LPR's shipped
-- publications are loaded from payrules/lpr.csv by the migration.

CREATE TABLE lpr_rates (
	published_on TEXT    PRIMARY KEY,  -- the day of the publication (the 20th, or the next working day)
	one_year     INTEGER NOT NULL,     -- the one-year rate, per cent × 10,000 (3.00 % = 30000)
	five_year    INTEGER NOT NULL,     -- the five-year rate, likewise
	created_by   TEXT    NOT NULL,
	created_at   TEXT    NOT NULL
) STRICT;

CREATE TABLE contracts (
	id                   INTEGER PRIMARY KEY,
	org_id               INTEGER NOT NULL REFERENCES orgs (id),       -- the buyer unit
	creditor_id          INTEGER NOT NULL REFERENCES creditors (id),  -- the supplier
	no                   TEXT    NOT NULL,                            -- contract number, unique within the unit
	name                 TEXT    NOT NULL,
	kind                 TEXT    NOT NULL,                            -- goods, works or services
	buyer_kind           TEXT    NOT NULL,                            -- organ, institution or large
	signed_on            TEXT    NOT NULL,                            -- decides the version of the Regulation
	amount               INTEGER NOT NULL,                            -- 分
	supplier_size        TEXT    NOT NULL,                            -- micro, small, medium or large, as declared at signing
	size_declared_on     TEXT,
	size_evidence        TEXT    NOT NULL DEFAULT '',
	settlement           TEXT    NOT NULL,                            -- once, progress or period
	agreed_days          INTEGER NOT NULL DEFAULT 0,                  -- agreed payment term, 0 for none
	acceptance_condition INTEGER NOT NULL DEFAULT 0,                  -- passing acceptance is a condition of payment
	acceptance_days      INTEGER NOT NULL DEFAULT 0,                  -- agreed acceptance period, 0 for none
	rate_per_day         INTEGER NOT NULL DEFAULT 0,                  -- the agreed overdue rate is per day (else per year)
	rate_micro           INTEGER NOT NULL DEFAULT 0,                  -- the agreed overdue rate × 1,000,000, 0 for none
	pay_when_paid        INTEGER NOT NULL DEFAULT 0,                  -- 背靠背
	audit_basis          INTEGER NOT NULL DEFAULT 0,                  -- 以审计结果作为结算依据
	forced_bills         INTEGER NOT NULL DEFAULT 0,                  -- 强制以商业汇票等支付
	unlawful             INTEGER NOT NULL DEFAULT 0,                  -- the rules find an unlawful clause or term
	note                 TEXT    NOT NULL DEFAULT '',
	search               TEXT    NOT NULL DEFAULT '',
	version              INTEGER NOT NULL DEFAULT 1,
	created_at           TEXT    NOT NULL,
	updated_at           TEXT    NOT NULL,
	UNIQUE (org_id, no)
) STRICT;
CREATE INDEX contracts_creditor ON contracts (creditor_id);

CREATE TABLE contract_events (
	id               INTEGER PRIMARY KEY,
	contract_id      INTEGER NOT NULL REFERENCES contracts (id),
	kind             TEXT    NOT NULL,             -- delivery, acceptance, settlement, invoice, payment, dispute or court
	on_date          TEXT    NOT NULL,
	amount           INTEGER NOT NULL DEFAULT 0,   -- 分
	method           TEXT    NOT NULL DEFAULT '',  -- of a payment: transfer, cash, bill, receivable or offset
	voucher_no       TEXT    NOT NULL DEFAULT '',
	late_by_supplier INTEGER NOT NULL DEFAULT 0,   -- an acceptance late through the supplier
	end_on           TEXT,                         -- a dispute settled or a court case closed
	note             TEXT    NOT NULL DEFAULT '',
	key              TEXT    NOT NULL DEFAULT '',  -- idempotency key of an ERP
	actor_name       TEXT    NOT NULL,
	created_at       TEXT    NOT NULL
) STRICT;
CREATE INDEX contract_events_contract ON contract_events (contract_id, on_date);
CREATE UNIQUE INDEX contract_events_key ON contract_events (contract_id, key) WHERE key <> '';

-- The payables derived by the rules, recomputed whenever an event is recorded.
CREATE TABLE payables (
	contract_id  INTEGER NOT NULL REFERENCES contracts (id),
	seq          INTEGER NOT NULL,
	org_id       INTEGER NOT NULL REFERENCES orgs (id),
	basis        TEXT    NOT NULL,
	amount       INTEGER NOT NULL,
	due          INTEGER NOT NULL,            -- the part due on time (undisputed, not in court)
	start_on     TEXT,
	due_on       TEXT,
	paid         INTEGER NOT NULL,
	unpaid       INTEGER NOT NULL,
	overdue_days INTEGER NOT NULL,
	interest     INTEGER NOT NULL,
	status       TEXT    NOT NULL,            -- not_started, no_term, open, overdue, paid or paid_late
	computed_on  TEXT    NOT NULL,            -- the as-of date of the figures
	PRIMARY KEY (contract_id, seq)
) STRICT;
CREATE INDEX payables_org_due ON payables (org_id, due_on);

-- The parts of each payable with the day each was paid (NULL while unpaid): aging as of any
-- date reads them alone, through the covering index.
CREATE TABLE payable_parts (
	contract_id INTEGER NOT NULL REFERENCES contracts (id),
	seq         INTEGER NOT NULL,
	org_id      INTEGER NOT NULL REFERENCES orgs (id),
	start_on    TEXT    NOT NULL,
	due_on      TEXT,
	amount      INTEGER NOT NULL,
	paid_on     TEXT,
	-- the paid_on of the part before in the order of payment (NULL for the first): the open parts
	-- on a day are the last ones, and the first of them counts the payable once
	prev_paid_on TEXT
) STRICT;
CREATE INDEX payable_parts_contract ON payable_parts (contract_id);
CREATE INDEX payable_parts_aging ON payable_parts (org_id, start_on, paid_on, due_on, prev_paid_on, amount);

-- A payable overdue and unpaid becomes a ledger item (origin new, 新增欠款): the link, and what
-- of the late payments has been recorded on the item as repayments.
CREATE TABLE payable_items (
	contract_id INTEGER NOT NULL REFERENCES contracts (id),
	seq         INTEGER NOT NULL,
	item_id     INTEGER NOT NULL REFERENCES items (id),
	repaid      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (contract_id, seq)
) STRICT;

-- The yearly disclosure of overdue unpaid payments to SMEs, declared beside the figures the
-- payables give at 12-31; signed, it is frozen.
CREATE TABLE disclosures (
	id              INTEGER PRIMARY KEY,
	org_id          INTEGER NOT NULL REFERENCES orgs (id),
	year            INTEGER NOT NULL,
	has_overdue     INTEGER NOT NULL DEFAULT 0,
	count           INTEGER NOT NULL DEFAULT 0,
	amount          INTEGER NOT NULL DEFAULT 0,
	note            TEXT NOT NULL DEFAULT '',
	computed_count  INTEGER NOT NULL DEFAULT 0,
	computed_amount INTEGER NOT NULL DEFAULT 0,
	contradicted    INTEGER NOT NULL DEFAULT 0,
	state           TEXT NOT NULL DEFAULT 'draft',  -- draft or signed
	prepared_by     TEXT NOT NULL DEFAULT '',
	signed_by       TEXT NOT NULL DEFAULT '',
	signed_at       TEXT,
	version         INTEGER NOT NULL DEFAULT 1,
	UNIQUE (org_id, year)
) STRICT;
