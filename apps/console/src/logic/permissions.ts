import type { SessionUser } from '../api';

/** What a write needs, as the services' route policies say (admin ⊇ operator ⊇ auditor). */
export type WriteNeed = 'operator' | 'admin';

const RANK: Record<string, number> = { auditor: 1, operator: 2, admin: 3 };

/**
 * `'*'`: a write that needs every tenant (e.g. replaying every tenant's dead letters); `null`: the
 * tenant is not known yet (a connection being typed in), only the role is checked.
 */
export type TenantTarget = string | readonly string[] | null;

export interface WriteAccess {
  readonly allowed: boolean;
  /** Why not, in one sentence the screen shows beside the disabled control. */
  readonly reason?: string;
}

function holdsTenant(user: SessionUser, tenant: TenantTarget): boolean {
  if (user.tenants === '*' || tenant === null) return true;
  if (tenant === '*') return false;
  const granted = new Set(user.tenants.map((t) => t.toLowerCase()));
  // A tenant known by its id and its domain: either name granted is the tenant granted.
  const names = typeof tenant === 'string' ? [tenant] : tenant;
  return names.some((name) => granted.has(name.toLowerCase()));
}

/**
 * Whether the signed-in user may make a change the services would accept: a role that ranks at least
 * `need`, and a grant for the tenant. The services decide in the end; this only keeps the console from
 * offering buttons that can only be refused.
 */
export function writeAccess(
  user: SessionUser,
  tenant: TenantTarget,
  need: WriteNeed = 'operator',
): WriteAccess {
  const rank = Math.max(0, ...user.roles.map((r) => RANK[r] ?? 0));
  if (rank < RANK[need]) {
    const held = user.roles.length > 0 ? user.roles.join(', ') : 'no role';
    return {
      allowed: false,
      reason: `Read-only: this change needs the ${need} role; you are signed in as ${held}.`,
    };
  }
  if (!holdsTenant(user, tenant)) {
    return {
      allowed: false,
      reason:
        tenant === '*'
          ? 'Read-only: this change needs a grant for every tenant.'
          : 'Read-only: you hold no grant for this tenant.',
    };
  }
  return { allowed: true };
}
