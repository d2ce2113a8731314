import { readFileSync } from 'node:fs';
import { loadSigningCertificate } from '@easgate/auth';
import { EasgateError } from '@easgate/contracts';
import { z } from 'zod';
import type { ConfiguredConnection } from '../config';
import { ExecutorErrorCode } from '../domain/executor-error';
import {
  type ExchangeClient,
  type ExchangeClientFactory,
  type HttpTransport,
  localAssertionProvider,
  TenantConnection,
  vaultAssertionProvider,
} from './exchange-client';

export const TenantClientErrorCode = {
  NoConnection: ExecutorErrorCode.NoTenantConnection,
  VaultUnavailable: ExecutorErrorCode.VaultUnavailable,
} as const;

/** The Exchange client of a tenant (GUID or organization domain), wherever its connection lives. */
export interface TenantClients {
  clientFor(tenant: string): Promise<ExchangeClient>;
  /** The connection behind a tenant, for the connection test endpoint. */
  describe(tenant: string): Promise<TenantConnection>;
}

const matches = (c: TenantConnection, tenant: string) =>
  c.tenantId?.toLowerCase() === tenant.toLowerCase() || c.organization.toLowerCase() === tenant.toLowerCase();

/** One connection from configuration, its PFX read here (embedded mode without a vault connection). */
export class ConfiguredTenantClients implements TenantClients {
  private readonly connection: TenantConnection;
  private client?: ExchangeClient;

  constructor(
    private readonly configured: ConfiguredConnection,
    private readonly factory: ExchangeClientFactory,
  ) {
    this.connection = TenantConnection.parse({ id: 'configured', ...configured });
  }

  async describe(tenant: string): Promise<TenantConnection> {
    if (!matches(this.connection, tenant))
      throw new EasgateError(
        TenantClientErrorCode.NoConnection,
        `no tenant connection is configured for ${tenant}`,
      );
    return this.connection;
  }

  async clientFor(tenant: string): Promise<ExchangeClient> {
    const connection = await this.describe(tenant);
    if (!this.client) {
      const signing = loadSigningCertificate({
        data: readFileSync(this.configured.certificateFile),
        password: this.configured.password,
        now: new Date(),
      });
      this.client = this.factory.clientFor(connection, localAssertionProvider(connection.appId, signing));
    }
    return this.client;
  }
}

/** A plain string is an API token; a function gives the whole header (a fresh service token). */
export function authorizationHeader(credential: string | (() => string)): string {
  return typeof credential === 'function' ? credential() : `Bearer ${credential}`;
}

const ConnectionList = z.union([z.array(z.unknown()), z.object({ items: z.array(z.unknown()) })]);

/** Connections and signatures from the cert-vault: the private key never comes here. */
export class VaultTenantClients implements TenantClients {
  private readonly cache = new Map<string, { connection: TenantConnection; until: number }>();

  constructor(
    private readonly vaultUrl: string,
    /** `Authorization` header value: the executor's service token (or `Bearer <token>`). */
    private readonly authorization: string | (() => string),
    private readonly http: HttpTransport,
    private readonly factory: ExchangeClientFactory,
    private readonly cacheMs = 300_000,
  ) {}

  async clientFor(tenant: string): Promise<ExchangeClient> {
    const connection = await this.describe(tenant);
    return this.factory.clientFor(
      connection,
      vaultAssertionProvider({
        vaultUrl: this.vaultUrl,
        apiToken: this.authorization,
        connectionId: connection.id,
        http: this.http,
      }),
    );
  }

  private readonly lookups = new Map<string, Promise<TenantConnection>>();

  describe(tenant: string): Promise<TenantConnection> {
    const key = tenant.toLowerCase();
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return Promise.resolve(hit.connection);
    // Mailboxes of one tenant worked at once share one lookup.
    let lookup = this.lookups.get(key);
    if (!lookup) {
      lookup = this.lookup(tenant, key).finally(() => this.lookups.delete(key));
      this.lookups.set(key, lookup);
    }
    return lookup;
  }

  private async lookup(tenant: string, key: string): Promise<TenantConnection> {
    const isGuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenant);
    const url = `${this.vaultUrl.replace(/\/+$/, '')}/v1/tenant-connections${isGuid ? `?tenantId=${encodeURIComponent(key)}` : ''}`;
    let res;
    try {
      res = await this.http.request({
        method: 'GET',
        url,
        headers: { Authorization: authorizationHeader(this.authorization) },
        timeoutMs: 10_000,
      });
    } catch (err) {
      throw new EasgateError(
        TenantClientErrorCode.VaultUnavailable,
        `the certificate vault could not be reached: ${String(err)}`,
        true,
      );
    }
    if (res.status !== 200)
      throw new EasgateError(
        TenantClientErrorCode.VaultUnavailable,
        `the certificate vault answered HTTP ${res.status}`,
        res.status >= 500,
      );
    const list = ConnectionList.safeParse(JSON.parse(res.text));
    const items = list.success ? (Array.isArray(list.data) ? list.data : list.data.items) : [];
    const found = items
      .map((item) => TenantConnection.safeParse(withoutNulls(item)))
      .flatMap((p) => (p.success ? [p.data] : []))
      .find((c) => matches(c, tenant));
    if (!found)
      throw new EasgateError(
        TenantClientErrorCode.NoConnection,
        `the certificate vault has no connection for tenant ${tenant}`,
      );
    this.cache.set(key, { connection: found, until: Date.now() + this.cacheMs });
    return found;
  }
}

function withoutNulls(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
}

/** The vault's connection for a tenant when it has one, else the configured one (embedded mode). */
export class FallbackTenantClients implements TenantClients {
  constructor(
    private readonly primary: TenantClients,
    private readonly fallback: TenantClients,
  ) {}

  async clientFor(tenant: string): Promise<ExchangeClient> {
    return (await this.pick(tenant)).clientFor(tenant);
  }

  async describe(tenant: string): Promise<TenantConnection> {
    return (await this.pick(tenant)).describe(tenant);
  }

  private async pick(tenant: string): Promise<TenantClients> {
    try {
      await this.primary.describe(tenant);
      return this.primary;
    } catch (err) {
      if ((err as { code?: unknown }).code === TenantClientErrorCode.NoConnection) return this.fallback;
      throw err;
    }
  }
}
