/** Nest injection token of the TenantClients port. */
export const TENANT_CLIENTS = Symbol('TENANT_CLIENTS');
