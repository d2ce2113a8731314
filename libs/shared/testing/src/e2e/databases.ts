import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The PostgreSQL server the suite creates its databases on (never a shared seeded one). */
export function e2ePostgresAdminUrl(): string {
  return process.env['E2E_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: e2ePostgresAdminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database named `<prefix>_<random>` (one per service and run). */
export async function createE2eDatabase(prefix: string): Promise<string> {
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return name;
}

export async function dropE2eDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** pg_terminate_backend on every connection to one of the suite's own databases; returns how many. */
export async function terminateConnections(database: string): Promise<number> {
  return admin(async (c) => {
    const res = await c.query<{ terminated: boolean }>(
      'SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    return res.rows.filter((r) => r.terminated).length;
  });
}

/** `postgres://…/<database>` through `host:port` (e.g. the TCP proxy in front of PostgreSQL). */
export function databaseUrl(database: string, via?: { host: string; port: number }): string {
  const url = new URL(e2ePostgresAdminUrl());
  if (via) {
    url.hostname = via.host;
    url.port = String(via.port);
  }
  url.pathname = `/${database}`;
  return url.toString();
}
