-- Security: the address each audit record came from, and a trail nothing in the system can
-- change or delete; password age, history and one-time codes; failed sign-ins per network
-- address; who registered a creditor and the requests to change one; the name and time of each
-- unit's upload of a voucher.

ALTER TABLE audit_log ADD COLUMN source TEXT NOT NULL DEFAULT '';  -- the request's network address, '' for the command line (hashed when not '')
CREATE INDEX audit_at ON audit_log (at);

-- The trail is appended to, never changed: an UPDATE or DELETE through any connection of the
-- system fails. (Whoever drops these triggers works behind the system's back; verify finds
-- what they changed.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit records cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit records cannot be deleted');
END;

ALTER TABLE users ADD COLUMN password_changed_at TEXT NOT NULL DEFAULT '';  -- when the password was last set: it expires after the policy's period
UPDATE users SET password_changed_at = created_at;
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';  -- base32 secret of the one-time codes, '' when not used
ALTER TABLE users ADD COLUMN totp_step INTEGER NOT NULL DEFAULT 0;   -- the 30-second step of the last code accepted: a code works once

-- The last passwords of each user (argon2id hashes), which may not be chosen again.
CREATE TABLE password_history (
	user_id    INTEGER NOT NULL REFERENCES users (id),
	hash       TEXT    NOT NULL,
	created_at TEXT    NOT NULL,  -- when the password was set
	PRIMARY KEY (user_id, created_at)
) STRICT;

-- Failed sign-ins per network address, whatever the accounts tried: an address with too many
-- within the lock time may not try again until it ends.
CREATE TABLE login_sources (
	source       TEXT    PRIMARY KEY,  -- the network address
	failures     INTEGER NOT NULL,     -- failed sign-ins since first_at
	first_at     TEXT    NOT NULL,     -- the first failure counted: counting starts again after the lock time
	locked_until TEXT                  -- NULL, or when the address may try again
) STRICT;

ALTER TABLE creditors ADD COLUMN registered_path TEXT NOT NULL DEFAULT '';  -- path of the unit that registered the creditor, '' for the office (and those registered before it was kept)

-- A unit's request to change a creditor it may not change itself; the office decides.
CREATE TABLE creditor_changes (
	id           INTEGER PRIMARY KEY,
	creditor_id  INTEGER NOT NULL REFERENCES creditors (id),
	org_id       INTEGER NOT NULL REFERENCES orgs (id),  -- the requesting unit
	changes      TEXT    NOT NULL,                       -- the requested change, JSON (with the creditor's version when asked)
	reason       TEXT    NOT NULL,
	state        TEXT    NOT NULL,                       -- pending, approved or rejected
	requested_by TEXT    NOT NULL,
	requested_at TEXT    NOT NULL,
	decided_by   TEXT    NOT NULL DEFAULT '',
	decided_at   TEXT,
	note         TEXT    NOT NULL DEFAULT ''             -- the office's reason
) STRICT;
CREATE INDEX creditor_changes_creditor ON creditor_changes (creditor_id);
CREATE INDEX creditor_changes_org ON creditor_changes (org_id);

-- Each unit's upload keeps its own file name and time: a unit uploading bytes another uploaded
-- first learns nothing of the other's.
ALTER TABLE voucher_uploads ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE voucher_uploads ADD COLUMN uploaded_at TEXT NOT NULL DEFAULT '';
UPDATE voucher_uploads SET name = (SELECT v.name FROM vouchers v WHERE v.sha256 = voucher_uploads.sha256),
	uploaded_at = (SELECT v.created_at FROM vouchers v WHERE v.sha256 = voucher_uploads.sha256);
