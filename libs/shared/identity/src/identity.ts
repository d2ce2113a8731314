/**
 * Who is calling an easgate API. One model for every service and for the console's gateway:
 *  - users (people, through a token or the console) with the roles admin / operator / auditor;
 *  - MDM publishers, which may only publish compliance events for the tenants they are bound to;
 *  - services (e.g. the exchange-executor calling the vault), with their own signed short-lived tokens.
 * Each carries tenant grants: every tenant (`'*'`) or a list of tenant ids (compared case-insensitively).
 */
export const Roles = ['admin', 'operator', 'auditor', 'mdm-publisher', 'service'] as const;
export type Role = (typeof Roles)[number];

export const CallerKinds = ['user', 'publisher', 'service'] as const;
export type CallerKind = (typeof CallerKinds)[number];

/** `'*'`: every tenant; otherwise the tenant ids (or domains) the caller may act for. */
export type TenantGrant = '*' | readonly string[];

export interface Identity {
  readonly kind: CallerKind;
  /** Stable name of the caller: a user name, a publisher name, or a service name. */
  readonly id: string;
  readonly roles: readonly Role[];
  readonly tenants: TenantGrant;
}

/** Whether the identity may act for `tenant` (ids and domains are compared case-insensitively). */
export function mayActFor(identity: Identity, tenant: string): boolean {
  if (identity.tenants === '*') return true;
  const wanted = tenant.trim().toLowerCase();
  return wanted !== '' && identity.tenants.some((granted) => granted.toLowerCase() === wanted);
}

export function holdsAllTenants(identity: Identity): boolean {
  return identity.tenants === '*';
}

/** The actor written to audit logs: `<kind>:<id>`, from the authenticated identity only. */
export function actorOf(identity: Identity): string {
  return `${identity.kind}:${identity.id}`;
}
