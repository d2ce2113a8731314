/** Nest injection token of the TenantClients port. */
export const TENANT_CLIENTS = Symbol('TENANT_CLIENTS');

/** Tenants this instance serves (empty: all). */
export const SERVED_TENANTS = Symbol('SERVED_TENANTS');
