-- The shipped holiday calendar gained the years 2020-2024 (the 2020 payment rules count their
-- due dates on them). The years are loaded by the migration's Go step, only where a database does
-- not hold them already; the schema does not change.
SELECT 1;
