/**
 * The identity model of easgate as the console gateway uses it. It mirrors `@easgate/identity` (issue 12,
 * being built on the `sec` branch): callers of kind user/publisher/service with the ranked roles
 * admin ⊇ operator ⊇ auditor and tenant grants ('*' or a list). When that library lands, these types
 * and `permitsRole`/`mayActFor` are imported from it instead; nothing else here changes.
 */
export type Role = 'admin' | 'operator' | 'auditor';
export type TenantGrant = '*' | readonly string[];

export interface Identity {
  readonly kind: 'user';
  readonly id: string;
  readonly roles: readonly Role[];
  readonly tenants: TenantGrant;
}

export type Need = Role;

/** How a forwarded route's tenant is known (the scopes of `@easgate/identity`'s policies). */
export type TenantScope =
  | { readonly kind: 'none' }
  | { readonly kind: 'all' }
  | { readonly kind: 'tenant'; readonly tenant: string }
  /** A record (a tenant connection) whose tenant the gateway looks up; undefined when it does not exist. */
  | { readonly kind: 'resolved'; readonly service: string; readonly recordId: string };

const RANK: Record<Role, number> = { auditor: 1, operator: 2, admin: 3 };

export function permitsRole(need: Need, identity: Identity): boolean {
  return identity.roles.some((role) => RANK[role] >= RANK[need]);
}

export function mayActFor(identity: Identity, tenant: string): boolean {
  if (identity.tenants === '*') return true;
  const wanted = tenant.trim().toLowerCase();
  return wanted !== '' && identity.tenants.some((granted) => granted.toLowerCase() === wanted);
}

export function holdsAllTenants(identity: Identity): boolean {
  return identity.tenants === '*';
}

/** The actor written to the services' audit logs for a console user. */
export function actorOf(identity: Identity): string {
  return `console:${identity.id}`;
}

/**
 * How the gateway presents the caller to a service. Today every service accepts the one API token
 * (an admin of every tenant), so the gateway enforces the role and the tenant itself before forwarding
 * and names the user in `X-Easgate-Actor`. With per-caller credentials (issue 12) this returns the
 * user's own credential and the services enforce the same policy again.
 */
export interface ServiceCredentials {
  authorizationFor(identity: Identity | undefined, service: string): string;
}

export function sharedApiTokenCredentials(apiToken: string): ServiceCredentials {
  return { authorizationFor: () => `Bearer ${apiToken}` };
}
