-- A bank statement is imported from the file uploaded, kept in the voucher store by its SHA-256
-- as the statement's evidence (a file of kind 'statement', never attachable as a voucher), and
-- its lines are fixed by a digest that the audit record of the import holds too.

ALTER TABLE vouchers ADD COLUMN kind TEXT NOT NULL DEFAULT 'voucher';          -- voucher or statement
ALTER TABLE bank_statements ADD COLUMN file_sha256 TEXT NOT NULL DEFAULT '';   -- the file kept, '' before files were kept
ALTER TABLE bank_statements ADD COLUMN lines_digest TEXT NOT NULL DEFAULT '';  -- SHA-256 over the lines as imported

CREATE INDEX bank_statements_file ON bank_statements (file_sha256);
