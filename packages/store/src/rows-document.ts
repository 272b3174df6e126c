/**
 * Rows sent to PostgreSQL as one JSON array, for a statement that spreads them back with
 * `jsonb_to_recordset(?::jsonb) AS r(<column> <type>, ...)`: one binding whatever the number of
 * rows, serialised by one native `JSON.stringify` (nested objects stay JSON, dates become ISO
 * 8601 text). A property that is not a column of the statement is ignored; an absent one is NULL.
 */
export function rowsDocument(rows: readonly object[]): string {
  return JSON.stringify(rows);
}
