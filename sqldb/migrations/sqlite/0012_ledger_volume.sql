-- The ledger's gross movement (ADR 16): per group (the unit directly under the regulator, or the
-- regulator for its own items), the sum over every entry of
-- the absolute values of its two parts, in 分 (a reversal on the reversed entry's date takes
-- the pair off again; one on another date leaves it counted). A write that would take a group past
-- qingqian.MaxGroupVolume, or the ledger past qingqian.MaxLedgerVolume, is refused (a reversal
-- always passes), which bounds every sum of amounts the system computes. `qingqian verify`
-- recomputes it from the entries.
CREATE TABLE ledger_volume (
	org_id INTEGER PRIMARY KEY,                  -- the group (the whole ledger is their sum)
	gross  INTEGER NOT NULL CHECK (gross >= 0)   -- Σ |du| + |dd| of the entries, in 分
) STRICT;
-- What is there already, saturated so that an overflowed ledger still migrates and verify
-- reports it. A path '/1/4/17/' belongs to group 4; '/1/' to the regulator, 1.
INSERT INTO ledger_volume (org_id, gross)
	WITH p AS (SELECT id, path, substr(path, instr(substr(path, 2), '/') + 2) AS rest FROM orgs),
	g AS (SELECT id, CAST(CASE WHEN rest = '' THEN substr(path, 2, length(path) - 2)
		ELSE substr(rest, 1, instr(rest, '/') - 1) END AS INTEGER) AS grp FROM p),
	v AS (SELECT g.grp, TOTAL(CASE WHEN e.kind <> 'reversal' THEN ABS(e.du) + ABS(e.dd)
			WHEN e.on_date = (SELECT r.on_date FROM entries r WHERE r.id = e.reverses_id) THEN -(ABS(e.du) + ABS(e.dd)) ELSE 0 END) AS gross
		FROM entries e JOIN items i ON i.id = e.item_id JOIN g ON g.id = i.org_id GROUP BY g.grp)
	SELECT grp, CAST(MAX(MIN(gross, 9.0e18), 0) AS INTEGER) FROM v;
