-- The last business date of an item's entries, read by every entry recorded on it (ADR 28): an
-- entry dated on or after it is checked against the item's balance without replaying the rest.
CREATE INDEX entries_item_on ON entries (item_id, on_date);
