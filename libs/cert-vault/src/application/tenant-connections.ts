import { randomUUID } from 'node:crypto';
import { refusedEndpoints, resolveCloud } from '@easgate/auth';
import { isUniqueViolation } from '@easgate/persistence';
import type { SigningAlgorithm, TenantConnection } from '../domain/certificate';
import type { Clock } from '../domain/clock';
import { VaultError, VaultErrorCode } from '../domain/vault-error';
import type { AuditTrail } from './audit-trail';
import type { SigningKeyCache } from './signing-key-cache';
import type { VaultStores } from './vault-stores';

export interface TenantConnectionInput {
  readonly tenantId: string;
  readonly appId: string;
  readonly organization: string;
  readonly cloud?: string;
  readonly authorityHost?: string;
  readonly exchangeEndpoint?: string;
  readonly graphUrl?: string;
  readonly applicationObjectId?: string;
  readonly signingAlgorithm?: SigningAlgorithm;
}

export interface TenantConnectionView {
  readonly id: string;
  readonly tenantId: string;
  readonly appId: string;
  readonly organization: string;
  readonly cloud: string;
  readonly authorityHost?: string;
  readonly exchangeEndpoint?: string;
  readonly graphUrl?: string;
  readonly applicationObjectId?: string;
  readonly signingAlgorithm: SigningAlgorithm;
  readonly activeCertificate?: { id: string; thumbprintSha1: string; notAfter: string };
  readonly createdAt: string;
  readonly updatedAt: string;
}

export class TenantConnections {
  constructor(
    private readonly stores: VaultStores,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    /** Hosts admitted for endpoint overrides besides the cloud's own (EASGATE_ALLOWED_ENDPOINT_HOSTS). */
    private readonly allowedEndpointHosts: readonly string[] = [],
    /** An updated or deleted connection's kept lookup and signing key are dropped at once. */
    private readonly keys?: SigningKeyCache,
  ) {}

  async create(input: TenantConnectionInput, actor: string): Promise<TenantConnectionView> {
    const now = this.clock.now().toISOString();
    const connection: TenantConnection = {
      id: randomUUID(),
      ...normalized(input, this.allowedEndpointHosts),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.stores.db.transaction(async (tx) => {
        await this.stores.connections.insert(tx, connection);
        await this.audit.record(tx, {
          actor,
          action: 'connection.create',
          outcome: 'success',
          tenantId: connection.tenantId,
          connectionId: connection.id,
          details: {
            appId: connection.appId,
            organization: connection.organization,
            cloud: connection.cloud,
          },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new VaultError(
          VaultErrorCode.TenantConnectionExists,
          `a tenant connection for app ${connection.appId} in tenant ${connection.tenantId} exists already`,
        );
      }
      throw err;
    }
    return view(connection);
  }

  async update(
    connectionId: string,
    input: Partial<TenantConnectionInput>,
    actor: string,
  ): Promise<TenantConnectionView> {
    return this.stores.db.transaction(async (tx) => {
      const current = await this.require(tx, connectionId);
      const merged = normalized({ ...current, ...input }, this.allowedEndpointHosts);
      if (merged.tenantId !== current.tenantId) {
        throw new VaultError(
          VaultErrorCode.InvalidRequest,
          'tenantId of a tenant connection cannot change: create another connection',
        );
      }
      const next: TenantConnection = { ...current, ...merged, updatedAt: this.clock.now().toISOString() };
      await this.stores.connections.update(tx, next);
      this.keys?.evict(next.id, tx);
      await this.audit.record(tx, {
        actor,
        action: 'connection.update',
        outcome: 'success',
        tenantId: next.tenantId,
        connectionId: next.id,
        details: { fields: Object.keys(input).sort().join(',') },
      });
      return this.viewWithActive(tx, next);
    });
  }

  async delete(connectionId: string, actor: string): Promise<void> {
    await this.stores.db.transaction(async (tx) => {
      const current = await this.require(tx, connectionId);
      if ((await this.stores.certificates.countByConnection(tx, current.tenantId, current.id)) > 0) {
        throw new VaultError(
          VaultErrorCode.TenantConnectionInUse,
          'the tenant connection still holds certificates (the audit keeps their history): retire them and keep the connection',
        );
      }
      await this.stores.connections.delete(tx, current.tenantId, current.id);
      this.keys?.evict(current.id, tx);
      await this.audit.record(tx, {
        actor,
        action: 'connection.delete',
        outcome: 'success',
        tenantId: current.tenantId,
        connectionId,
      });
    });
  }

  get(connectionId: string): Promise<TenantConnectionView> {
    return this.stores.db.read(async (m) => this.viewWithActive(m, await this.require(m, connectionId)));
  }

  /** The tenant of a connection (for authorization), or undefined when there is no such connection. */
  async tenantOf(connectionId: string): Promise<string | undefined> {
    const found = await this.stores.db.read((m) => this.stores.connections.findById(m, connectionId));
    return found?.tenantId;
  }

  list(tenantId?: string): Promise<TenantConnectionView[]> {
    return this.stores.db.read(async (m) => {
      const connections = await this.stores.connections.list(m, tenantId);
      return Promise.all(connections.map((c) => this.viewWithActive(m, c)));
    });
  }

  private async require(
    tx: Parameters<VaultStores['connections']['findById']>[0],
    connectionId: string,
  ): Promise<TenantConnection> {
    const connection = await this.stores.connections.findById(tx, connectionId);
    if (!connection) throw notFound(connectionId);
    return connection;
  }

  private async viewWithActive(
    tx: Parameters<VaultStores['connections']['findById']>[0],
    c: TenantConnection,
  ): Promise<TenantConnectionView> {
    const active = await this.stores.certificates.findActive(tx, c.tenantId, c.id);
    return view(
      c,
      active
        ? { id: active.id, thumbprintSha1: active.thumbprintSha1, notAfter: active.notAfter }
        : undefined,
    );
  }
}

export function notFound(connectionId: string): VaultError {
  return new VaultError(VaultErrorCode.TenantConnectionNotFound, `no tenant connection ${connectionId}`);
}

function normalized(
  input: TenantConnectionInput,
  allowedEndpointHosts: readonly string[],
): Omit<TenantConnection, 'id' | 'createdAt' | 'updatedAt'> {
  let cloud: string;
  try {
    cloud = resolveCloud(input.cloud ?? 'O365Default', {
      ...(input.authorityHost !== undefined && { authorityHost: input.authorityHost }),
      ...(input.exchangeEndpoint !== undefined && { connectionUri: input.exchangeEndpoint }),
    }).name;
  } catch (err) {
    throw new VaultError(VaultErrorCode.InvalidRequest, (err as Error).message);
  }
  const refused = refusedEndpoints(cloud, input, allowedEndpointHosts);
  if (refused.length > 0)
    throw new VaultError(
      VaultErrorCode.EndpointNotAllowed,
      `${refused.join(', ')}: only the ${cloud} cloud's own hosts, or hosts the operator lists in EASGATE_ALLOWED_ENDPOINT_HOSTS`,
    );
  return {
    tenantId: input.tenantId.toLowerCase(),
    appId: input.appId.toLowerCase(),
    organization: input.organization.toLowerCase(),
    cloud,
    ...(input.authorityHost !== undefined && { authorityHost: new URL(input.authorityHost).origin }),
    ...(input.exchangeEndpoint !== undefined && { exchangeEndpoint: input.exchangeEndpoint }),
    ...(input.graphUrl !== undefined && { graphUrl: new URL(input.graphUrl).origin }),
    ...(input.applicationObjectId !== undefined && {
      applicationObjectId: input.applicationObjectId.toLowerCase(),
    }),
    signingAlgorithm: input.signingAlgorithm ?? 'RS256',
  };
}

function view(
  c: TenantConnection,
  activeCertificate?: TenantConnectionView['activeCertificate'],
): TenantConnectionView {
  return {
    id: c.id,
    tenantId: c.tenantId,
    appId: c.appId,
    organization: c.organization,
    cloud: c.cloud,
    ...(c.authorityHost !== undefined && { authorityHost: c.authorityHost }),
    ...(c.exchangeEndpoint !== undefined && { exchangeEndpoint: c.exchangeEndpoint }),
    ...(c.graphUrl !== undefined && { graphUrl: c.graphUrl }),
    ...(c.applicationObjectId !== undefined && { applicationObjectId: c.applicationObjectId }),
    signingAlgorithm: c.signingAlgorithm,
    ...(activeCertificate !== undefined && { activeCertificate }),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
