-- Writers that do not stall each other (ADR 22).
--
-- Document numbers come from a counter row per series and year instead of COUNT(*)+1: `clue`
-- (TS-year-NNNN) and `notice` (清欠督〔year〕N号), the office's series. The migration fills the
-- counters from the numbers already given.
--
-- The running totals of the root (the regulator) hold only its own items from now on; its
-- figures are its rows and its children's summed when read. The migration recomputes the root's
-- rows.
CREATE TABLE counters (
	series TEXT    NOT NULL,  -- what is numbered: clue, notice
	year   INTEGER NOT NULL,  -- the year the numbers restart in
	last   INTEGER NOT NULL,  -- the last number given
	PRIMARY KEY (series, year)
) STRICT;
