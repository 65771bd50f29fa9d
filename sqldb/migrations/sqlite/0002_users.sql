-- People who sign in, and their sessions. Passwords are argon2id hashes; a session's id is the
-- SHA-256 of the secret in its cookie.

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	username      TEXT    NOT NULL UNIQUE,
	name          TEXT    NOT NULL,
	org_id        INTEGER  NOT NULL REFERENCES orgs (id),
	roles         TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	active        INTEGER NOT NULL,
	must_change   INTEGER NOT NULL,
	failed_logins INTEGER  NOT NULL,
	locked_until  TEXT   ,
	last_login_at TEXT   ,
	version       INTEGER  NOT NULL,
	created_at    TEXT    NOT NULL
) STRICT;
CREATE INDEX users_org ON users (org_id);

CREATE TABLE sessions (
	id           TEXT    PRIMARY KEY,
	user_id      INTEGER  NOT NULL REFERENCES users (id),
	created_at   TEXT    NOT NULL,
	last_seen_at TEXT    NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
