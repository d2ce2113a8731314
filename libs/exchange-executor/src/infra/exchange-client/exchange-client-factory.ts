import type { AssertionProvider } from './assertion-provider';
import { ExchangeClient, type ExchangeClientOptions, type ExchangeRetryOptions } from './exchange-client';
import type { HttpTransport } from './http-transport';
import { connectionEndpoints, type TenantConnection } from './tenant-connection';
import { type Clock, DEFAULT_TENANT_GUARD, TenantGuard, type TenantGuardOptions } from './tenant-guard';
import { MsalTokenSource } from './token-source';

export interface ExchangeClientFactoryOptions {
  http: HttpTransport;
  guard?: Partial<TenantGuardOptions>;
  retry?: Partial<ExchangeRetryOptions>;
  pageSize?: number;
  requestTimeoutMs?: number;
  clock?: Clock;
  observe?: ExchangeClientOptions['observe'];
}

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
      client = new ExchangeClient({
        endpoints,
        tokens: new MsalTokenSource({
          appId: connection.appId,
          endpoints,
          assertion,
          http: this.options.http,
        }),
        http: this.options.http,
        guard: new TenantGuard({ ...DEFAULT_TENANT_GUARD, ...this.options.guard }, this.options.clock),
        ...(this.options.retry !== undefined && { retry: this.options.retry }),
        ...(this.options.pageSize !== undefined && { pageSize: this.options.pageSize }),
        ...(this.options.requestTimeoutMs !== undefined && {
          requestTimeoutMs: this.options.requestTimeoutMs,
        }),
        ...(this.options.clock !== undefined && { clock: this.options.clock }),
        ...(this.options.observe !== undefined && { observe: this.options.observe }),
      });
      this.clients.set(key, client);
    }
    return client;
  }
}
