import type { Need, TenantScope } from './identity-port';

/** The services the console reaches through `/api/<service>/…`. */
export const ConsoleServices = ['cert-vault', 'exchange-executor', 'policy-translator', 'alerting'] as const;
export type ConsoleService = (typeof ConsoleServices)[number];

export function isConsoleService(name: string): name is ConsoleService {
  return (ConsoleServices as readonly string[]).includes(name);
}

export interface ForwardedRequest {
  readonly service: ConsoleService;
  readonly method: string;
  /** The path inside the service, e.g. `/v1/tenants/contoso.onmicrosoft.com/alerts`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The parsed JSON body of a write, when it has one. */
  readonly body?: unknown;
}

export type RoutePolicy =
  | { readonly allowed: true; readonly need: Need; readonly tenant: TenantScope }
  | { readonly allowed: false; readonly reason: string };

const TENANT_PATH = /^\/v1\/tenants\/([^/]+)(?:\/|$)/;
const CONNECTION_PATH = /^\/v1\/tenant-connections\/([^/]+)(?:\/|$)/;

/**
 * What a console user needs for a forwarded call: reads need auditor; writes need operator on alerts
 * and devices, admin on certificates, connections, rules and Exchange operations. The tenant is the
 * path's `tenants/:tenant`, the tenant of the `tenant-connections/:id` record, the `tenantId` of a
 * query or body; a call naming no tenant touches every tenant and needs a grant on all of them.
 * Internal routes (the vault's signing) are never reachable from a browser.
 */
export function policyOf(request: ForwardedRequest): RoutePolicy {
  const { service, method, path } = request;
  if (path.startsWith('/internal/') || path === '/internal')
    return { allowed: false, reason: 'internal routes are not reachable from the console' };
  const read = method === 'GET' || method === 'HEAD';
  const need: Need = read ? 'auditor' : writeNeed(service, method, path);
  return { allowed: true, need, tenant: tenantScope(request) };
}

function writeNeed(service: ConsoleService, method: string, path: string): Need {
  switch (service) {
    case 'alerting':
      return 'operator';
    case 'policy-translator':
      return method === 'POST' && /\/rules\/preview$/.test(path)
        ? 'auditor'
        : path.includes('/rules')
          ? 'admin'
          : 'operator';
    case 'exchange-executor':
    case 'cert-vault':
      return 'admin';
  }
}

function tenantScope(request: ForwardedRequest): TenantScope {
  const { service, path, query, body } = request;
  const inPath = TENANT_PATH.exec(path);
  if (inPath) return { kind: 'tenant', tenant: decodeURIComponent(inPath[1]) };
  if (service === 'cert-vault') {
    if (path === '/v1/certificates/validate') return { kind: 'none' };
    const connection = CONNECTION_PATH.exec(path);
    if (connection) return { kind: 'resolved', service, recordId: decodeURIComponent(connection[1]) };
    if (path === '/v1/tenant-connections' || path === '/v1/audit') {
      const tenant = query.get('tenantId') ?? tenantIdOf(body);
      if (tenant) return { kind: 'tenant', tenant };
    }
  }
  return { kind: 'all' };
}

function tenantIdOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)['tenantId'];
  return typeof value === 'string' ? value : undefined;
}
