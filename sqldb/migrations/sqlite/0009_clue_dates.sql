-- The dates a clue's handling actually happened, entered after the fact when need be, and
-- deadlines counted on weekends alone (provisional) while the calendar lacks a year. assigned_on
-- keeps its meaning: the first assignment, the forwarding. The migration fills the recording
-- instants from the audit trail and recomputes every clue's deadlines (sqldb/clue_reckon.go).
ALTER TABLE clues ADD COLUMN materials_on TEXT;                             -- the handling unit received the materials: the 30 days of the written result count from it
ALTER TABLE clues ADD COLUMN assigned_at TEXT;                              -- when the first assignment was recorded
ALTER TABLE clues ADD COLUMN reassigned_on TEXT;                            -- the latest passing on within the handling unit's subtree
ALTER TABLE clues ADD COLUMN reassigned_at TEXT;                            -- when that was recorded
ALTER TABLE clues ADD COLUMN forward_provisional INTEGER NOT NULL DEFAULT 0; -- forward_due_on counted on weekends alone: its year is missing from the calendar
ALTER TABLE clues ADD COLUMN result_provisional INTEGER NOT NULL DEFAULT 0;  -- result_due_on likewise
UPDATE clues SET materials_on = assigned_on WHERE assigned_on IS NOT NULL;
