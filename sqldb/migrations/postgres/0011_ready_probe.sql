-- The readiness probe (/readyz) proves that the database takes writes by rewriting this one row
-- in a transaction of its own; nothing else reads it, and it is no part of the ledger.
CREATE TABLE ready_probe (
	id         BIGINT      PRIMARY KEY,  -- always 1
	written_at TIMESTAMPTZ NOT NULL,     -- when a probe last wrote
	written_by TEXT        NOT NULL      -- the host and process id of the server that wrote it
);
