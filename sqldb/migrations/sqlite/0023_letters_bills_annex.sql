-- Confirmation letters record whether they offered the creditor's online reply when issued, so
-- that a letter is printed again as it was sent (ADR 32). Letters issued before did not record
-- it: they are printed without the online reply, the paper reply being the one every letter
-- offers.
--
-- The letters' numbers (询证〔year〕第NNNN号) come from the counters (ADR 22) under the series
-- `letter`; the migration fills the counter from the numbers already given.
ALTER TABLE letters ADD COLUMN online_reply INTEGER NOT NULL DEFAULT 0;  -- 1 when the letter offered the online reply
