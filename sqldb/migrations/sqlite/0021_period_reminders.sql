-- The office's reminders (催报) to the groups that have not reported a period: one row per group
-- reminded, shown to the group on its dashboard until it reports.

CREATE TABLE period_reminders (
	id        INTEGER PRIMARY KEY,
	period_id INTEGER NOT NULL REFERENCES periods (id),
	org_id    INTEGER NOT NULL REFERENCES orgs (id),  -- the group reminded
	note      TEXT    NOT NULL DEFAULT '',
	sent_by   TEXT    NOT NULL,
	sent_at   TEXT    NOT NULL
) STRICT;

CREATE INDEX period_reminders_org ON period_reminders (org_id, period_id);
