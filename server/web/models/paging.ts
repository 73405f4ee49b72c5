// Keyset paging of newest-first lists (runs, audit): ask for one row more than a page to know if there are older.
export interface Page<T> {
  rows: T[];
  /** The id to ask `before` for the next (older) page, or null on the last page. */
  older: number | null;
}

/** `rows` were read with `limit = size + 1`; the extra row only says that an older page exists. */
export function newestFirstPage<T extends { id: number }>(rows: T[], size: number): Page<T> {
  const shown = rows.slice(0, size);
  return { rows: shown, older: rows.length > size ? (shown.at(-1)?.id ?? null) : null };
}
