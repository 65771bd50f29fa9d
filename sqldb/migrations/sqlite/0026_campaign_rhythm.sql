-- Campaigns to the units of one level (二级、三级子企业), and the office's reminders (催报) to the
-- units that have not reported in a campaign's reporting period.

ALTER TABLE campaigns ADD COLUMN level INTEGER NOT NULL DEFAULT 0;

CREATE TABLE campaign_reminders (
	id          INTEGER PRIMARY KEY,
	campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
	org_id      INTEGER NOT NULL REFERENCES orgs (id),
	period_no   INTEGER NOT NULL,            -- the reporting period reminded of
	note        TEXT    NOT NULL DEFAULT '',
	sent_by     TEXT    NOT NULL,
	sent_at     TEXT    NOT NULL
) STRICT;

CREATE INDEX campaign_reminders_org ON campaign_reminders (org_id, campaign_id);
