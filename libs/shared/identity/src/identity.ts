/**
 * Who is calling an easgate API. One model for every service and for the console's gateway:
 *  - users (people, through a token or the console) with the roles admin / operator / auditor;
 *  - MDM publishers, which may only publish compliance events for the tenants they are bound to;
 *  - services (e.g. the exchange-executor calling the vault), with their own signed short-lived tokens.
 * Each carries tenant grants: every tenant (`'*'`) or a list of tenant ids (compared case-insensitively).
 */
export const Roles = ['admin', 'operator', 'auditor', 'mdm-publisher', 'service'] as const;
export type Role = (typeof Roles)[number];

/** The roles of people (API-token users and console users): ranked admin ⊇ operator ⊇ auditor. */
export const UserRoles = ['admin', 'operator', 'auditor'] as const;
export type UserRole = (typeof UserRoles)[number];

/** The service name of the console's gateway: the one service trusted to present users (see service-tokens). */
export const ConsoleGatewayService = 'console-gateway';

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
  /**
   * The service that authenticated this user and presents it (the console gateway), when the user
   * did not call with its own credential. Its grants are already narrowed to that service's.
   */
  readonly via?: string;
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

/**
 * The actor written to audit logs, from the authenticated identity only: `<kind>:<id>`, and
 * `user:<id> via <service>` for a user presented by a service (a console user through the gateway).
 */
export function actorOf(identity: Identity): string {
  const actor = `${identity.kind}:${identity.id}`;
  return identity.via === undefined ? actor : `${actor} via ${identity.via}`;
}

/** The grant `wanted` narrowed to what `allowed` permits (tenants compared case-insensitively). */
export function narrowGrant(wanted: TenantGrant, allowed: TenantGrant): TenantGrant {
  if (allowed === '*') return wanted;
  if (wanted === '*') return allowed;
  const permitted = new Set(allowed.map((t) => t.toLowerCase()));
  return wanted.filter((t) => permitted.has(t.toLowerCase()));
}
