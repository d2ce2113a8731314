import type { SessionUser, TenantConnection } from '../api';

/** The choice that reads every tenant's dead letters (and those of no known tenant). */
export const ALL_TENANTS = '*';

/** A dead letter as the services list it (`/v1/…/dead-letters`). */
export interface DeadLetter {
  id: string;
  topic: string;
  originalTopic: string;
  key: string | null;
  tenant?: string;
  code?: string;
  reason?: string;
  attempts?: number;
  failedAt?: string;
  replayOf?: string;
  replayed?: boolean;
}

/**
 * The tenants the user may read dead letters of: every tenant first for a user who holds them all, then
 * each connected tenant under both of its names (events carry the directory id or the onmicrosoft.com
 * domain, as the MDM sent them), and the user's own grants when no connection names them.
 */
export function tenantChoices(
  user: SessionUser,
  connections: readonly TenantConnection[],
): { value: string; label: string }[] {
  const choices: { value: string; label: string }[] = [];
  if (user.tenants === '*') choices.push({ value: ALL_TENANTS, label: 'All tenants' });
  const seen = new Set<string>();
  const add = (value: string, label: string) => {
    const normal = value.toLowerCase();
    if (seen.has(normal)) return;
    if (user.tenants !== '*' && !user.tenants.some((t) => t.toLowerCase() === normal)) return;
    seen.add(normal);
    choices.push({ value, label });
  };
  for (const c of connections) {
    add(c.organization, c.organization);
    add(c.tenantId, `${c.organization} (${c.tenantId})`);
  }
  if (user.tenants !== '*') for (const t of user.tenants) add(t, t);
  return choices;
}
