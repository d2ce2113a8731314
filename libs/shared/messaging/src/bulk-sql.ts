import type { Tx } from '@easgate/persistence';

/**
 * Multi-row statements in raw, parameterised SQL for the bulk paths (no entity hydration), written
 * once for PostgreSQL (`$1`) and SQLite (`?`): both take `INSERT … VALUES (…), (…)`, `ON CONFLICT`
 * and `RETURNING`.
 */
export function isPostgres(tx: Tx): boolean {
  return tx.connection.options.type === 'postgres';
}

/**
 * Rows per statement: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. `columns` 0:
 * the rows travel as arrays (one parameter each), so one statement takes them all.
 */
export function rowsPerStatement(columns: number): number {
  return columns === 0 ? Number.MAX_SAFE_INTEGER : Math.max(1, Math.floor(30_000 / columns));
}

/** `(…), (…)` for `rows` rows of `columns` parameters, numbered from `from` on PostgreSQL. */
export function valuesList(tx: Tx, rows: number, columns: number, from = 1): string {
  const pg = isPostgres(tx);
  const out: string[] = [];
  let n = from;
  for (let r = 0; r < rows; r++) {
    const row: string[] = [];
    for (let c = 0; c < columns; c++) row.push(pg ? `$${n++}` : '?');
    out.push(`(${row.join(', ')})`);
  }
  return out.join(', ');
}

/** `$from, $from+1, …` or `?, ?, …`: an IN list of `count` parameters. */
export function paramList(tx: Tx, count: number, from = 1): string {
  const pg = isPostgres(tx);
  return Array.from({ length: count }, (_, i) => (pg ? `$${from + i}` : '?')).join(', ');
}

/** Runs `statement(chunk)` for chunks of `rows` small enough for one statement each. */
export async function inChunks<R, T>(
  rows: readonly R[],
  columns: number,
  statement: (chunk: R[]) => Promise<T[]>,
): Promise<T[]> {
  const size = rowsPerStatement(columns);
  const out: T[] = [];
  for (let i = 0; i < rows.length; i += size) {
    // A statement without RETURNING answers no rows (better-sqlite3: its run() result, not an array).
    const answered: unknown = await statement(rows.slice(i, i + size));
    if (Array.isArray(answered)) out.push(...(answered as T[]));
  }
  return out;
}

/** A column of a bulk insert: its name and, for PostgreSQL's `unnest`, its array element type. */
export interface BulkColumn {
  name: string;
  type: 'text' | 'int';
}

/** Values SQLite's JSON functions give back as they were bound: text, numbers, null. */
function isJsonScalar(value: unknown): boolean {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * `INSERT INTO table (columns) … <suffix>` for many rows, in the order given, in ONE statement whose
 * text does not depend on the row count (so it is prepared once and cached): the rows travel as a
 * handful of parameters. PostgreSQL: the columns bound as arrays and expanded by `unnest`. SQLite:
 * the rows bound as one JSON array and expanded by `json_each` (rows holding other values than
 * text, numbers and null fall back to multi-row `VALUES` lists, chunked under its parameter limit).
 * `suffix` (ON CONFLICT …, RETURNING …) is appended as is; the rows returned (RETURNING) are
 * concatenated.
 */
export async function bulkInsert<T = unknown>(
  tx: Tx,
  table: string,
  columns: readonly BulkColumn[],
  rows: readonly unknown[][],
  suffix = '',
): Promise<T[]> {
  if (rows.length === 0) return [];
  const names = columns.map((c) => c.name).join(', ');
  if (isPostgres(tx)) {
    const arrays = columns.map((_, i) => rows.map((row) => row[i]));
    const unnest = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
    return tx.query<T[]>(`INSERT INTO ${table} (${names}) SELECT * FROM unnest(${unnest}) ${suffix}`, arrays);
  }
  if (rows.every((row) => row.every(isJsonScalar))) {
    const fields = columns.map((_, i) => `value ->> ${i}`).join(', ');
    // `WHERE true`: SQLite's parser needs it before an upsert's ON CONFLICT after a SELECT.
    const answered: unknown = await tx.query<T[]>(
      `INSERT INTO ${table} (${names}) SELECT ${fields} FROM json_each(?) WHERE true ${suffix}`,
      [JSON.stringify(rows)],
    );
    return Array.isArray(answered) ? (answered as T[]) : [];
  }
  return inChunks(rows, columns.length, (chunk) =>
    tx.query<T[]>(
      `INSERT INTO ${table} (${names}) VALUES ${valuesList(tx, chunk.length, columns.length)} ${suffix}`,
      chunk.flat(),
    ),
  );
}

/**
 * `column` is one of `keys`, as one parameter (numbered `at` on PostgreSQL) whatever their count, so
 * one statement text, prepared once: `column = ANY($at::text[])` (or `bigint[]`) on PostgreSQL,
 * `column IN (SELECT value FROM json_each(?))` on SQLite. Returns the SQL and the parameter to bind.
 */
export function oneOf(
  tx: Tx,
  column: string,
  keys: readonly (string | number)[],
  at = 1,
  type: 'text' | 'bigint' = 'text',
): [string, unknown] {
  if (isPostgres(tx)) return [`${column} = ANY($${at}::${type}[])`, keys];
  return [`${column} IN (SELECT value FROM json_each(?))`, JSON.stringify(keys)];
}
