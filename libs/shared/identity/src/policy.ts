import { holdsAllTenants, type Identity, mayActFor } from './identity';

/**
 * The least a route needs. The human roles are ranked: an admin may do what an operator may, an
 * operator what an auditor may. `mdm-publisher` routes also admit admins. Services are admitted
 * only by name (`services`), never through a role.
 */
export const Needs = ['auditor', 'operator', 'admin', 'mdm-publisher', 'service'] as const;
export type Need = (typeof Needs)[number];

/** How a route's tenant is known, so that the caller's grants can be checked. */
export type TenantScope =
  /** Not tenant data (e.g. validating an uploaded certificate that is not stored). */
  | { readonly kind: 'none' }
  /** Whole-system data or operations: the caller must hold every tenant. */
  | { readonly kind: 'all' }
  /** The path parameter is the tenant. */
  | { readonly kind: 'param'; readonly param: string }
  /** The path parameter names a record whose tenant the service's resolver finds. */
  | { readonly kind: 'resolved'; readonly param: string; readonly resolver: string }
  /** The tenants are in the body or the result: the handler checks each one or filters by the grants. */
  | { readonly kind: 'handler'; readonly how: string };

export interface AccessPolicy {
  readonly need: Need;
  /** Services (by name) admitted besides the roles. */
  readonly services?: readonly string[];
  readonly tenant: TenantScope;
}

const RANK: Partial<Record<Need, number>> = { auditor: 1, operator: 2, admin: 3 };

/** Whether the identity's roles (or, for a service, its name) satisfy the policy. */
export function permitsRole(policy: AccessPolicy, identity: Identity): boolean {
  if (identity.kind === 'service')
    return identity.roles.includes('service') && (policy.services?.includes(identity.id) ?? false);
  if (policy.need === 'service') return false;
  if (policy.need === 'mdm-publisher')
    return identity.roles.includes('mdm-publisher') || identity.roles.includes('admin');
  const needed = RANK[policy.need] ?? Number.POSITIVE_INFINITY;
  return identity.roles.some((role) => (RANK[role] ?? 0) >= needed);
}

/**
 * Whether the identity may reach the route's tenant. `tenant` is the tenant the route acts on
 * (`undefined` when a resolved record does not exist: only callers holding every tenant go on and
 * learn that it does not exist, the others are refused as for another tenant's record).
 */
export function permitsTenant(scope: TenantScope, identity: Identity, tenant?: string): boolean {
  switch (scope.kind) {
    case 'none':
    case 'handler':
      return true;
    case 'all':
      return holdsAllTenants(identity);
    case 'param':
    case 'resolved':
      return tenant === undefined ? holdsAllTenants(identity) : mayActFor(identity, tenant);
  }
}

/** Shorthands for controllers: `@Access(read(byParam('tenant')))`. */
export const byParam = (param: string): TenantScope => ({ kind: 'param', param });
export const resolvedBy = (resolver: string, param: string): TenantScope => ({
  kind: 'resolved',
  resolver,
  param,
});
export const allTenants: TenantScope = { kind: 'all' };
export const noTenant: TenantScope = { kind: 'none' };
export const checkedInHandler = (how: string): TenantScope => ({ kind: 'handler', how });
