import { type CloudEndpoints, resolveCloud, tokenEndpoint } from '@easgate/auth';
import { z } from 'zod';

/** A tenant connection as the cert-vault describes it (`GET /v1/tenant-connections/{id}`). */
export const TenantConnection = z.object({
  id: z.string().min(1),
  /** GUID; absent → the organization domain is used as the tenant. */
  tenantId: z.string().min(1).optional(),
  /** `<name>.onmicrosoft.com` */
  organization: z.string().min(3),
  appId: z.string().min(1),
  /** Exchange environment name (O365Default, O365USGovGCCHigh, O365USGovDoD, O365China). */
  cloud: z.string().default('O365Default'),
  /** https origin replacing the cloud's authority host (the sandbox). */
  authorityHost: z.string().url().optional(),
  /** https URL replacing the cloud's Exchange endpoint (the sandbox). */
  exchangeEndpoint: z.string().url().optional(),
});
export type TenantConnection = z.infer<typeof TenantConnection>;

/** Where a connection's token and admin API calls go. */
export interface ConnectionEndpoints {
  readonly cloud: CloudEndpoints;
  /** The tenant as it appears in URLs: the GUID if known, else the organization. */
  readonly tenant: string;
  /** msal authority: `<authorityHost>/<tenant>` */
  readonly authority: string;
  readonly tokenEndpoint: string;
  readonly invokeCommandUrl: string;
  /** `<Exchange host the calls go to>/.default`, except under a stand-in authority (see below). */
  readonly tokenScope: string;
  /** `UPN:SystemMailbox{bb558c35-…}@<organization>`: what the module and most clients send. */
  readonly anchorMailbox: string;
}

export function connectionEndpoints(connection: TenantConnection): ConnectionEndpoints {
  const cloud = resolveCloud(connection.cloud, {
    ...(connection.authorityHost !== undefined && { authorityHost: connection.authorityHost }),
    ...(connection.exchangeEndpoint !== undefined && { connectionUri: connection.exchangeEndpoint }),
  });
  const tenant = connection.tenantId ?? connection.organization;
  // The token carries the audience of the host it is sent to: with the cloud's own authority, an
  // overridden Exchange endpoint gets a token for itself, never one the real Exchange would accept.
  // A stand-in authority (the sandbox, an admitted override) mints under the real resource name.
  const standIn = cloud.authorityHost !== resolveCloud(connection.cloud).authorityHost;
  return {
    cloud,
    tenant,
    authority: `${cloud.authorityHost}/${tenant}`,
    tokenEndpoint: tokenEndpoint(cloud, tenant),
    invokeCommandUrl: `${cloud.adminApiBaseUrl}/${encodeURIComponent(tenant)}/InvokeCommand`,
    tokenScope: standIn ? cloud.tokenScope : `${cloud.exchangeUrl}/.default`,
    anchorMailbox: `UPN:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${connection.organization}`,
  };
}
