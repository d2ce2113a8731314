import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Identity } from './identity-port';

export interface Session {
  readonly id: string;
  readonly identity: Identity;
  /** Sent back by the console in `X-CSRF-Token` on every state-changing request. */
  readonly csrfToken: string;
  expiresAt: number;
}

/**
 * Server-side sessions, referenced by an opaque random id in an httpOnly SameSite=Strict cookie.
 * Idle sessions expire (sliding), and every session ends after the absolute lifetime.
 */
export class Sessions {
  private readonly byId = new Map<string, Session & { readonly startedAt: number }>();

  constructor(
    private readonly idleMs = 30 * 60_000,
    private readonly absoluteMs = 12 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {}

  start(identity: Identity): Session {
    this.sweep();
    const session = {
      id: randomBytes(32).toString('base64url'),
      identity,
      csrfToken: randomBytes(32).toString('base64url'),
      startedAt: this.now(),
      expiresAt: this.now() + this.idleMs,
    };
    this.byId.set(session.id, session);
    return session;
  }

  find(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.byId.get(id);
    if (!session) return undefined;
    const now = this.now();
    if (session.expiresAt <= now || session.startedAt + this.absoluteMs <= now) {
      this.byId.delete(id);
      return undefined;
    }
    session.expiresAt = now + this.idleMs;
    return session;
  }

  end(id: string | undefined): void {
    if (id) this.byId.delete(id);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.byId)
      if (s.expiresAt <= now || s.startedAt + this.absoluteMs <= now) this.byId.delete(id);
  }
}

export function csrfMatches(session: Session, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
