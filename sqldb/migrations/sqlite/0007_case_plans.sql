-- What a case planned next, as it was decided on each day: the disputed-debt table as of a date
-- shows the plan of that date. Cases opened before this migration start with their current plan.
CREATE TABLE case_plans (
	case_id     INTEGER NOT NULL REFERENCES cases (id),
	seq         INTEGER NOT NULL,
	on_date     TEXT    NOT NULL,  -- the day the plan was decided
	responsible TEXT    NOT NULL,
	next_step   TEXT    NOT NULL,
	expected_on TEXT,
	PRIMARY KEY (case_id, seq)
) STRICT;
INSERT INTO case_plans (case_id, seq, on_date, responsible, next_step, expected_on)
	SELECT id, 1, filed_on, responsible, next_step, expected_on FROM cases;
