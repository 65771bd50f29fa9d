-- The ledger's gross movement (ADR 16): per group (the unit directly under the regulator, or the
-- regulator for its own items), the sum over every entry of
-- the absolute values of its two parts, in 分 (a reversal on the reversed entry's date takes
-- the pair off again; one on another date leaves it counted). A write that would take a group past
-- qingqian.MaxGroupVolume, or the ledger past qingqian.MaxLedgerVolume, is refused (a reversal
-- always passes), which bounds every sum of amounts the system computes. `qingqian verify`
-- recomputes it from the entries.
CREATE TABLE ledger_volume (
	org_id BIGINT PRIMARY KEY,                  -- the group (the whole ledger is their sum)
	gross  BIGINT NOT NULL CHECK (gross >= 0)   -- Σ |du| + |dd| of the entries, in 分
);
-- What is there already, saturated so that an overflowed ledger still migrates and verify
-- reports it. A path '/1/4/17/' belongs to group 4; '/1/' to the regulator, 1.
INSERT INTO ledger_volume (org_id, gross)
	WITH g AS (SELECT id, COALESCE(NULLIF(split_part(path, '/', 3), ''), split_part(path, '/', 2))::bigint AS grp FROM orgs),
	v AS (SELECT g.grp, SUM((CASE WHEN e.kind <> 'reversal' THEN ABS(e.du::numeric) + ABS(e.dd::numeric)
			WHEN e.on_date = (SELECT r.on_date FROM entries r WHERE r.id = e.reverses_id) THEN -(ABS(e.du::numeric) + ABS(e.dd::numeric)) ELSE 0 END)) AS gross
		FROM entries e JOIN items i ON i.id = e.item_id JOIN g ON g.id = i.org_id GROUP BY g.grp)
	SELECT grp, GREATEST(LEAST(gross, 9000000000000000000), 0)::bigint FROM v;
