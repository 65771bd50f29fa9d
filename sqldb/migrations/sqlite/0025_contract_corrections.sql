-- Corrections of contracts: a contract registered by mistake is cancelled (作废) with a reason, an
-- event entered by mistake is voided (撤销) with a reason. Neither row is deleted: the rules
-- leave them out, the pages show them struck through.

ALTER TABLE contracts ADD COLUMN cancelled_at TEXT;
ALTER TABLE contracts ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE contract_events ADD COLUMN voided_at TEXT;
ALTER TABLE contract_events ADD COLUMN voided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE contract_events ADD COLUMN void_reason TEXT NOT NULL DEFAULT '';
