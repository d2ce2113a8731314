import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { type Identity, UserRoles } from '@easgate/identity';
import BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';

export interface Session {
  readonly id: string;
  readonly identity: Identity;
  /** Sent back by the console in `X-CSRF-Token` on every state-changing request. */
  readonly csrfToken: string;
  readonly expiresAt: number;
}

export interface SessionLifetimes {
  /** Idle sessions end after this (sliding). */
  readonly idleMs: number;
  /** Every session ends after this, however active. */
  readonly absoluteMs: number;
}

export const DEFAULT_SESSION_LIFETIMES: SessionLifetimes = { idleMs: 30 * 60_000, absoluteMs: 12 * 3600_000 };

/** A sliding expiry is written back at most this often (a read per request, a write per minute). */
const SLIDE_WRITE_MS = 60_000;

const StoredIdentity = z.object({
  kind: z.literal('user'),
  id: z.string().min(1).max(200),
  roles: z.array(z.enum(UserRoles)).min(1),
  tenants: z.union([z.literal('*'), z.array(z.string().min(1).max(200))]),
});

interface Row {
  identity: string;
  csrf_token: string;
  started_at: number;
  expires_at: number;
}

/**
 * Server-side sessions, referenced by an opaque random id in an httpOnly SameSite=Strict cookie and
 * kept in SQLite (`<dataDir>/console-sessions.sqlite`, 0600), so that a gateway restart signs nobody
 * out. Only the SHA-256 of a session id is stored: a copy of the file opens no session. Signing out
 * deletes the row (revoked at once, restart or not); expired rows are swept when sessions start.
 */
export class Sessions {
  private readonly db: BetterSqlite3.Database;

  constructor(
    file: string,
    private readonly lifetimes: SessionLifetimes = DEFAULT_SESSION_LIFETIMES,
    private readonly now: () => number = Date.now,
  ) {
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    this.db = new BetterSqlite3(file);
    this.db.pragma('journal_mode = DELETE');
    this.db.exec(`CREATE TABLE IF NOT EXISTS console_session (
      id_sha256 TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      identity TEXT NOT NULL,
      csrf_token TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    )`);
    this.db.exec('CREATE INDEX IF NOT EXISTS console_session_user ON console_session (user_id)');
  }

  start(identity: Identity): Session {
    const now = this.now();
    this.db
      .prepare('DELETE FROM console_session WHERE expires_at <= ? OR started_at <= ?')
      .run(now, now - this.lifetimes.absoluteMs);
    const stored = StoredIdentity.parse({ ...identity, kind: 'user' });
    const session = {
      id: randomBytes(32).toString('base64url'),
      identity: stored,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: now + this.lifetimes.idleMs,
    };
    this.db
      .prepare(
        'INSERT INTO console_session (id_sha256, user_id, identity, csrf_token, started_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        sha256(session.id),
        stored.id.toLowerCase(),
        JSON.stringify(stored),
        session.csrfToken,
        now,
        session.expiresAt,
      );
    return session;
  }

  find(id: string | undefined): Session | undefined {
    if (!id || id.length > 100) return undefined;
    const key = sha256(id);
    const row = this.db
      .prepare('SELECT identity, csrf_token, started_at, expires_at FROM console_session WHERE id_sha256 = ?')
      .get(key) as Row | undefined;
    if (!row) return undefined;
    const now = this.now();
    const identity = StoredIdentity.safeParse(JSON.parse(row.identity));
    if (row.expires_at <= now || row.started_at + this.lifetimes.absoluteMs <= now || !identity.success) {
      this.db.prepare('DELETE FROM console_session WHERE id_sha256 = ?').run(key);
      return undefined;
    }
    let expiresAt = row.expires_at;
    if (now + this.lifetimes.idleMs - expiresAt >= Math.min(SLIDE_WRITE_MS, this.lifetimes.idleMs / 2)) {
      expiresAt = now + this.lifetimes.idleMs;
      this.db.prepare('UPDATE console_session SET expires_at = ? WHERE id_sha256 = ?').run(expiresAt, key);
    }
    return { id, identity: identity.data, csrfToken: row.csrf_token, expiresAt };
  }

  /** Signs the session out: its cookie opens nothing any more. */
  end(id: string | undefined): void {
    if (id) this.db.prepare('DELETE FROM console_session WHERE id_sha256 = ?').run(sha256(id));
  }

  /** Ends every session of a user (e.g. when the account is removed); the number ended. */
  endAllOf(userId: string): number {
    return this.db.prepare('DELETE FROM console_session WHERE user_id = ?').run(userId.toLowerCase()).changes;
  }

  close(): void {
    this.db.close();
  }
}

export function csrfMatches(session: Session, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
