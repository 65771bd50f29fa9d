-- People who sign in, and their sessions. Passwords are argon2id hashes; a session's id is the
-- SHA-256 of the secret in its cookie.

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	username      TEXT    NOT NULL UNIQUE,
	name          TEXT    NOT NULL,
	org_id        INTEGER  NOT NULL REFERENCES orgs (id),
	roles         TEXT    NOT NULL,   -- comma-separated
	password_hash TEXT    NOT NULL,   -- argon2id in the PHC string format, with its parameters
	active        INTEGER NOT NULL,
	must_change   INTEGER NOT NULL,   -- true until the user has chosen a password (new or reset accounts)
	failed_logins INTEGER  NOT NULL,  -- failed sign-ins in a row since the last success or lock
	locked_until  TEXT   ,            -- NULL, or when the lock after too many failures ends
	last_login_at TEXT   ,
	version       INTEGER  NOT NULL,
	created_at    TEXT    NOT NULL
) STRICT;
CREATE INDEX users_org ON users (org_id);

CREATE TABLE sessions (
	id           TEXT    PRIMARY KEY,  -- SHA-256 of the secret in the session cookie
	user_id      INTEGER  NOT NULL REFERENCES users (id),
	created_at   TEXT    NOT NULL,
	last_seen_at TEXT    NOT NULL      -- written at most once a minute: a session idle for 30 minutes ends
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
