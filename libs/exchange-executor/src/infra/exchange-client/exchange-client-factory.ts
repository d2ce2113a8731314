import type { AssertionProvider } from './assertion-provider';
import { ExchangeClient, type ExchangeClientOptions, type ExchangeRetryOptions } from './exchange-client';
import type { HttpTransport } from './http-transport';
import { connectionEndpoints, type TenantConnection } from './tenant-connection';
import {
  type CircuitState,
  type Clock,
  DEFAULT_TENANT_GUARD,
  TenantGuard,
  type TenantGuardOptions,
} from './tenant-guard';
import { MsalTokenSource } from './token-source';

export interface ExchangeClientFactoryOptions {
  http: HttpTransport;
  guard?: Partial<TenantGuardOptions>;
  retry?: Partial<ExchangeRetryOptions>;
  pageSize?: number;
  requestTimeoutMs?: number;
  clock?: Clock;
  /** Every admin API request's outcome, with the tenant it was for (metrics, throttling signals). */
  observe?: (request: TenantRequestOutcome) => void;
  /** A tenant's circuit breaker changed state. */
  onCircuitChange?: (tenant: string, state: CircuitState, reason?: string) => void;
}

export type TenantRequestOutcome = Parameters<NonNullable<ExchangeClientOptions['observe']>>[0] & {
  tenant: string;
};

/**
 * Keeps one client (one MSAL instance and token cache, one guard) per tenant connection, so
 * tokens are reused across calls and limits hold across every caller of a tenant.
 */
export class ExchangeClientFactory {
  private readonly clients = new Map<string, ExchangeClient>();

  constructor(private readonly options: ExchangeClientFactoryOptions) {}

  clientFor(connection: TenantConnection, assertion: AssertionProvider): ExchangeClient {
    const key = `${connection.id}|${connection.appId}|${connection.tenantId ?? connection.organization}`;
    let client = this.clients.get(key);
    if (!client) {
      const endpoints = connectionEndpoints(connection);
      const tenant = connection.tenantId ?? connection.organization;
      const { observe, onCircuitChange } = this.options;
      client = new ExchangeClient({
        endpoints,
        tokens: new MsalTokenSource({
          appId: connection.appId,
          endpoints,
          assertion,
          http: this.options.http,
        }),
        http: this.options.http,
        guard: new TenantGuard(
          { ...DEFAULT_TENANT_GUARD, ...this.options.guard },
          this.options.clock,
          onCircuitChange && ((state, reason) => onCircuitChange(tenant, state, reason)),
        ),
        ...(this.options.retry !== undefined && { retry: this.options.retry }),
        ...(this.options.pageSize !== undefined && { pageSize: this.options.pageSize }),
        ...(this.options.requestTimeoutMs !== undefined && {
          requestTimeoutMs: this.options.requestTimeoutMs,
        }),
        ...(this.options.clock !== undefined && { clock: this.options.clock }),
        ...(observe !== undefined && { observe: (request) => observe({ ...request, tenant }) }),
      });
      this.clients.set(key, client);
    }
    return client;
  }
}
