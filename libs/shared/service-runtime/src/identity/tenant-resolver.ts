/**
 * Finds the tenant of a record named in a path (`resolvedBy('connection', 'connectionId')`): a service
 * provides one per resolver name under `tenantResolverToken(name)`. `undefined`: no such record.
 */
export interface TenantResolver {
  tenantOf(value: string): Promise<string | undefined>;
}

export function tenantResolverToken(name: string): string {
  return `easgate:tenant-resolver:${name}`;
}
