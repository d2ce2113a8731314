import type { Tx } from '@easgate/persistence';

/**
 * Multi-row statements in raw, parameterised SQL for the bulk paths (no entity hydration), written
 * once for PostgreSQL (`$1`) and SQLite (`?`): both take `INSERT … VALUES (…), (…)`, `ON CONFLICT`
 * and `RETURNING`.
 */
export function isPostgres(tx: Tx): boolean {
  return tx.connection.options.type === 'postgres';
}

/** Rows per statement: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
export function rowsPerStatement(columns: number): number {
  return Math.max(1, Math.floor(30_000 / columns));
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
  for (let i = 0; i < rows.length; i += size) out.push(...(await statement(rows.slice(i, i + size))));
  return out;
}
