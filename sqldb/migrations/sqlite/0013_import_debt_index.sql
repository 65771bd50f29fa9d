-- Imports recognise a row without a number by its debt (unit, creditor, arising date, kind,
-- amounts), and a row whose unit was corrected by the same debt under another unit: both look
-- items up by creditor and arising date.
CREATE INDEX items_debt ON items (creditor_id, arisen_on);
