-- The audit trail in chains, one per group, each with its own head, so that groups write
-- without waiting for one another; and every entry bound to the audit record that wrote it.
-- The records written so far form chain 0 (the regulator's), at the same places.

ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 0;      -- the chain: the id of the group the transaction wrote for, 0 for the regulator's level and for no unit
ALTER TABLE audit_log ADD COLUMN chain_seq INTEGER NOT NULL DEFAULT 0;  -- the record's place in its chain, from 1 (seq orders the records of all chains)
ALTER TABLE audit_log ADD COLUMN entry_id INTEGER;                      -- the entry the record wrote (entry.* and item.import), NULL for none

DROP TRIGGER audit_log_no_update;
UPDATE audit_log SET chain_seq = seq, entry_id = CASE
	WHEN action LIKE 'entry.%' THEN CAST(json_extract(after_json, '$.id') AS INTEGER)
	WHEN action = 'item.import' THEN CAST(json_extract(after_json, '$.recognise_entry_id') AS INTEGER) END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit records cannot be changed');
END;
CREATE UNIQUE INDEX audit_chain ON audit_log (chain, chain_seq);
CREATE UNIQUE INDEX audit_entry ON audit_log (entry_id) WHERE entry_id IS NOT NULL;

-- The head of each chain, updated by each transaction that writes to it: the lock a writer
-- takes is its chain's, not the whole trail's.
CREATE TABLE audit_heads (
	chain    INTEGER PRIMARY KEY,  -- as audit_log.chain
	seq      INTEGER NOT NULL,     -- the last record's chain_seq
	hash     TEXT    NOT NULL,     -- the last record's hash
	last_seq INTEGER NOT NULL      -- the last record's seq
) STRICT;
INSERT INTO audit_heads (chain, seq, hash, last_seq) SELECT 0, seq, hash, seq FROM audit_head;
DROP TABLE audit_head;
