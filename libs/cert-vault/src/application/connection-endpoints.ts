import { type CloudEndpoints, resolveCloud, tokenEndpoint } from '@easgate/auth';
import type { TenantConnection } from '../domain/certificate';

/** The real Graph resource: the token scope stays it even when a sandbox plays Graph. */
export function graphScopeOf(connection: TenantConnection): string {
  return `${resolveCloud(connection.cloud).graphUrl}/.default`;
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
