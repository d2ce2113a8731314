import { type CloudEndpoints, resolveCloud, tokenEndpoint } from '@easgate/auth';
import type { TenantConnection } from '../domain/certificate';

/**
 * The scope of a Graph token: the audience of the host the token is sent to (`graphUrl`, the
 * connection's or VAULT_GRAPH_URL). A token of the cloud's own authority is therefore never one for
 * the real Graph when the calls go elsewhere. Only a stand-in authority (the sandbox, an admitted
 * override) mints its tokens under the real resource name, for the stand-in hosts it plays.
 */
export function graphScopeOf(connection: TenantConnection, graphUrl?: string): string {
  const real = resolveCloud(connection.cloud);
  const standIn = cloudOf(connection).authorityHost !== real.authorityHost;
  return `${standIn ? real.graphUrl : cloudOf(connection, graphUrl).graphUrl}/.default`;
}

export function cloudOf(connection: TenantConnection, graphUrl?: string): CloudEndpoints {
  return resolveCloud(connection.cloud, {
    ...(connection.authorityHost !== undefined && { authorityHost: connection.authorityHost }),
    ...(connection.exchangeEndpoint !== undefined && { connectionUri: connection.exchangeEndpoint }),
    ...(graphUrl !== undefined && { graphUrl }),
  });
}

/** The token endpoint of the connection (by tenant id): the assertion audience the vault signs for. */
export function tokenEndpointOf(connection: TenantConnection): string {
  return tokenEndpoint(cloudOf(connection), connection.tenantId);
}

/** Audiences the vault signs for: the token endpoint addressed by tenant id or by organization. */
export function allowedAudiences(connection: TenantConnection): string[] {
  const cloud = cloudOf(connection);
  return [tokenEndpoint(cloud, connection.tenantId), tokenEndpoint(cloud, connection.organization)];
}

export function isAllowedAudience(connection: TenantConnection, audience: string): boolean {
  const wanted = audience.trim().replace(/\/+$/, '').toLowerCase();
  return allowedAudiences(connection).some((a) => a.toLowerCase() === wanted);
}
