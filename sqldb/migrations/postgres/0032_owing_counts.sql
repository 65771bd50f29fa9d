-- Per unit, the counts the dashboard and the disputed ledger read, kept by the database itself
-- on every write of an item (ADR 0040): a first view reads one small row per unit instead of
-- every item still owing. Exact at every commit: triggers on items keep it, whatever writes the
-- items (entries, reversals, edits, imports, sweeps, the benchmark loader's COPY); verify
-- recounts it. A writer locks the rows of the units it changes, never a shared one (ADR 22).
CREATE TABLE org_owing (
	org_id   BIGINT PRIMARY KEY REFERENCES orgs (id),
	owing    BIGINT NOT NULL DEFAULT 0,  -- items still owing (out_u + out_d > 0)
	undated  BIGINT NOT NULL DEFAULT 0,  -- of them, without a due date
	unfunded BIGINT NOT NULL DEFAULT 0,  -- of them, without a funding source (funding_source = '')
	disputed BIGINT NOT NULL DEFAULT 0,  -- items with a disputed part outstanding (out_d > 0)
	disp_out BIGINT NOT NULL DEFAULT 0,  -- their outstanding (out_u + out_d), in 分
	disp_rec BIGINT NOT NULL DEFAULT 0,  -- their recognised (rec_u + rec_d)
	disp_rep BIGINT NOT NULL DEFAULT 0   -- their repaid (rep_u + rep_d)
);

INSERT INTO org_owing (org_id, owing, undated, unfunded, disputed, disp_out, disp_rec, disp_rep)
SELECT org_id,
	COUNT(*) FILTER (WHERE out_u + out_d > 0),
	COUNT(*) FILTER (WHERE out_u + out_d > 0 AND due_on IS NULL),
	COUNT(*) FILTER (WHERE out_u + out_d > 0 AND funding_source = ''),
	COUNT(*) FILTER (WHERE out_d > 0),
	COALESCE(SUM(out_u + out_d) FILTER (WHERE out_d > 0), 0),
	COALESCE(SUM(rec_u + rec_d) FILTER (WHERE out_d > 0), 0),
	COALESCE(SUM(rep_u + rep_d) FILTER (WHERE out_d > 0), 0)
FROM items WHERE out_u + out_d > 0 OR out_d > 0 GROUP BY org_id;

-- The items a statement wrote (s = 1) and those it replaced (s = -1), summed by unit; units
-- whose parts did not change are left alone, the others written in the order of their ids (two
-- statements over the same units lock them in one order).
CREATE FUNCTION org_owing_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	src TEXT;
BEGIN
	src := CASE TG_OP
		WHEN 'INSERT' THEN 'SELECT 1 AS s, * FROM org_owing_new'
		WHEN 'DELETE' THEN 'SELECT -1 AS s, * FROM org_owing_old'
		ELSE 'SELECT 1 AS s, * FROM org_owing_new UNION ALL SELECT -1, * FROM org_owing_old' END;
	EXECUTE 'INSERT INTO org_owing AS t (org_id, owing, undated, unfunded, disputed, disp_out, disp_rec, disp_rep)
		SELECT org_id, COALESCE(owing, 0), COALESCE(undated, 0), COALESCE(unfunded, 0), COALESCE(disputed, 0),
			COALESCE(disp_out, 0), COALESCE(disp_rec, 0), COALESCE(disp_rep, 0) FROM (SELECT org_id,
			SUM(s) FILTER (WHERE out_u + out_d > 0) AS owing,
			SUM(s) FILTER (WHERE out_u + out_d > 0 AND due_on IS NULL) AS undated,
			SUM(s) FILTER (WHERE out_u + out_d > 0 AND funding_source = '''') AS unfunded,
			SUM(s) FILTER (WHERE out_d > 0) AS disputed,
			SUM(s * (out_u + out_d)) FILTER (WHERE out_d > 0) AS disp_out,
			SUM(s * (rec_u + rec_d)) FILTER (WHERE out_d > 0) AS disp_rec,
			SUM(s * (rep_u + rep_d)) FILTER (WHERE out_d > 0) AS disp_rep
			FROM (' || src || ') d WHERE out_u + out_d > 0 OR out_d > 0 GROUP BY org_id) g
		WHERE COALESCE(owing, 0) <> 0 OR COALESCE(undated, 0) <> 0 OR COALESCE(unfunded, 0) <> 0 OR COALESCE(disputed, 0) <> 0
			OR COALESCE(disp_out, 0) <> 0 OR COALESCE(disp_rec, 0) <> 0 OR COALESCE(disp_rep, 0) <> 0
		ORDER BY org_id
		ON CONFLICT (org_id) DO UPDATE SET owing = t.owing + excluded.owing, undated = t.undated + excluded.undated,
			unfunded = t.unfunded + excluded.unfunded, disputed = t.disputed + excluded.disputed,
			disp_out = t.disp_out + excluded.disp_out, disp_rec = t.disp_rec + excluded.disp_rec,
			disp_rep = t.disp_rep + excluded.disp_rep';
	RETURN NULL;
END
$$;
CREATE TRIGGER items_owing_insert AFTER INSERT ON items REFERENCING NEW TABLE AS org_owing_new
	FOR EACH STATEMENT EXECUTE FUNCTION org_owing_apply();
CREATE TRIGGER items_owing_update AFTER UPDATE ON items REFERENCING OLD TABLE AS org_owing_old NEW TABLE AS org_owing_new
	FOR EACH STATEMENT EXECUTE FUNCTION org_owing_apply();
CREATE TRIGGER items_owing_delete AFTER DELETE ON items REFERENCING OLD TABLE AS org_owing_old
	FOR EACH STATEMENT EXECUTE FUNCTION org_owing_apply();
