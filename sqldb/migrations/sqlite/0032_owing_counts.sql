-- Per unit, the counts the dashboard and the disputed ledger read, kept by the database itself
-- on every write of an item (ADR 0040): a first view reads one small row per unit instead of
-- every item still owing. Exact at every commit: triggers on items keep it, whatever writes the
-- items (entries, reversals, edits, imports, sweeps, the benchmark loader); verify recounts it.
CREATE TABLE org_owing (
	org_id   INTEGER PRIMARY KEY REFERENCES orgs (id),
	owing    INTEGER NOT NULL DEFAULT 0,  -- items still owing (out_u + out_d > 0)
	undated  INTEGER NOT NULL DEFAULT 0,  -- of them, without a due date
	unfunded INTEGER NOT NULL DEFAULT 0,  -- of them, without a funding source (funding_source = '')
	disputed INTEGER NOT NULL DEFAULT 0,  -- items with a disputed part outstanding (out_d > 0)
	disp_out INTEGER NOT NULL DEFAULT 0,  -- their outstanding (out_u + out_d), in 分
	disp_rec INTEGER NOT NULL DEFAULT 0,  -- their recognised (rec_u + rec_d)
	disp_rep INTEGER NOT NULL DEFAULT 0   -- their repaid (rep_u + rep_d)
) STRICT;

INSERT INTO org_owing (org_id, owing, undated, unfunded, disputed, disp_out, disp_rec, disp_rep)
SELECT org_id,
	SUM(out_u + out_d > 0),
	SUM(out_u + out_d > 0 AND due_on IS NULL),
	SUM(out_u + out_d > 0 AND funding_source = ''),
	SUM(out_d > 0),
	SUM(CASE WHEN out_d > 0 THEN out_u + out_d ELSE 0 END),
	SUM(CASE WHEN out_d > 0 THEN rec_u + rec_d ELSE 0 END),
	SUM(CASE WHEN out_d > 0 THEN rep_u + rep_d ELSE 0 END)
FROM items WHERE out_u + out_d > 0 OR out_d > 0 GROUP BY org_id;

-- An item's part in its unit's row: added when it is written, taken out of the old unit's row
-- when it changes; an item that neither owes nor disputes, before or after, touches no row.
CREATE TRIGGER items_owing_insert AFTER INSERT ON items
WHEN NEW.out_u + NEW.out_d > 0 OR NEW.out_d > 0
BEGIN
	INSERT INTO org_owing (org_id, owing, undated, unfunded, disputed, disp_out, disp_rec, disp_rep)
	VALUES (NEW.org_id, NEW.out_u + NEW.out_d > 0, NEW.out_u + NEW.out_d > 0 AND NEW.due_on IS NULL,
		NEW.out_u + NEW.out_d > 0 AND NEW.funding_source = '', NEW.out_d > 0,
		CASE WHEN NEW.out_d > 0 THEN NEW.out_u + NEW.out_d ELSE 0 END,
		CASE WHEN NEW.out_d > 0 THEN NEW.rec_u + NEW.rec_d ELSE 0 END,
		CASE WHEN NEW.out_d > 0 THEN NEW.rep_u + NEW.rep_d ELSE 0 END)
	ON CONFLICT (org_id) DO UPDATE SET owing = org_owing.owing + excluded.owing, undated = org_owing.undated + excluded.undated,
		unfunded = org_owing.unfunded + excluded.unfunded, disputed = org_owing.disputed + excluded.disputed,
		disp_out = org_owing.disp_out + excluded.disp_out, disp_rec = org_owing.disp_rec + excluded.disp_rec,
		disp_rep = org_owing.disp_rep + excluded.disp_rep;
END;

-- A repayment that leaves an undisputed item owing changes none of the counts: no row is written.
CREATE TRIGGER items_owing_update AFTER UPDATE OF org_id, due_on, funding_source, rec_u, rec_d, rep_u, rep_d, out_u, out_d ON items
WHEN (OLD.out_u + OLD.out_d > 0) <> (NEW.out_u + NEW.out_d > 0) OR OLD.out_d > 0 OR NEW.out_d > 0
	OR (NEW.out_u + NEW.out_d > 0 AND (OLD.org_id <> NEW.org_id OR OLD.due_on IS NOT NEW.due_on OR OLD.funding_source <> NEW.funding_source))
BEGIN
	UPDATE org_owing SET owing = owing - (OLD.out_u + OLD.out_d > 0),
		undated = undated - (OLD.out_u + OLD.out_d > 0 AND OLD.due_on IS NULL),
		unfunded = unfunded - (OLD.out_u + OLD.out_d > 0 AND OLD.funding_source = ''),
		disputed = disputed - (OLD.out_d > 0),
		disp_out = disp_out - CASE WHEN OLD.out_d > 0 THEN OLD.out_u + OLD.out_d ELSE 0 END,
		disp_rec = disp_rec - CASE WHEN OLD.out_d > 0 THEN OLD.rec_u + OLD.rec_d ELSE 0 END,
		disp_rep = disp_rep - CASE WHEN OLD.out_d > 0 THEN OLD.rep_u + OLD.rep_d ELSE 0 END
	WHERE org_id = OLD.org_id AND (OLD.out_u + OLD.out_d > 0 OR OLD.out_d > 0);
	INSERT INTO org_owing (org_id, owing, undated, unfunded, disputed, disp_out, disp_rec, disp_rep)
	SELECT NEW.org_id, NEW.out_u + NEW.out_d > 0, NEW.out_u + NEW.out_d > 0 AND NEW.due_on IS NULL,
		NEW.out_u + NEW.out_d > 0 AND NEW.funding_source = '', NEW.out_d > 0,
		CASE WHEN NEW.out_d > 0 THEN NEW.out_u + NEW.out_d ELSE 0 END,
		CASE WHEN NEW.out_d > 0 THEN NEW.rec_u + NEW.rec_d ELSE 0 END,
		CASE WHEN NEW.out_d > 0 THEN NEW.rep_u + NEW.rep_d ELSE 0 END
	WHERE NEW.out_u + NEW.out_d > 0 OR NEW.out_d > 0
	ON CONFLICT (org_id) DO UPDATE SET owing = org_owing.owing + excluded.owing, undated = org_owing.undated + excluded.undated,
		unfunded = org_owing.unfunded + excluded.unfunded, disputed = org_owing.disputed + excluded.disputed,
		disp_out = org_owing.disp_out + excluded.disp_out, disp_rec = org_owing.disp_rec + excluded.disp_rec,
		disp_rep = org_owing.disp_rep + excluded.disp_rep;
END;

CREATE TRIGGER items_owing_delete AFTER DELETE ON items
WHEN OLD.out_u + OLD.out_d > 0 OR OLD.out_d > 0
BEGIN
	UPDATE org_owing SET owing = owing - (OLD.out_u + OLD.out_d > 0),
		undated = undated - (OLD.out_u + OLD.out_d > 0 AND OLD.due_on IS NULL),
		unfunded = unfunded - (OLD.out_u + OLD.out_d > 0 AND OLD.funding_source = ''),
		disputed = disputed - (OLD.out_d > 0),
		disp_out = disp_out - CASE WHEN OLD.out_d > 0 THEN OLD.out_u + OLD.out_d ELSE 0 END,
		disp_rec = disp_rec - CASE WHEN OLD.out_d > 0 THEN OLD.rec_u + OLD.rec_d ELSE 0 END,
		disp_rep = disp_rep - CASE WHEN OLD.out_d > 0 THEN OLD.rep_u + OLD.rep_d ELSE 0 END
	WHERE org_id = OLD.org_id;
END;
