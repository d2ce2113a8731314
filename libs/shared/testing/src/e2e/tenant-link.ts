import { randomUUID } from 'node:crypto';
import type { SandboxAdmin } from './sandbox';

export interface TenantLink {
  connectionId: string;
  certificateId: string;
  appId: string;
  tenantId: string;
}

/**
 * Wires a running cert-vault to the sandbox tenant the way an Exchange admin does (flow 1 of
 * PRODUCT.md), over the vault's public API and the sandbox admin API: a tenant connection, a
 * certificate created inside the vault, its public half registered on a new app in the sandbox's
 * "Entra" with consent and the Exchange Administrator role, then activated.
 */
export async function linkVaultToSandbox(input: {
  vaultUrl: string;
  apiToken: string;
  sandbox: SandboxAdmin;
  tenantId: string;
  organization: string;
  certificateDays?: number;
}): Promise<TenantLink> {
  const vault = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${input.vaultUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${input.apiToken}`,
        'x-easgate-actor': 'e2e',
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`cert-vault ${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const appId = randomUUID();
  const tenantId = input.tenantId.toLowerCase();
  const endpoints = {
    authorityHost: input.sandbox.baseUrl,
    exchangeEndpoint: input.sandbox.baseUrl,
    graphUrl: input.sandbox.baseUrl,
  };
  const connection = await vault<{ id: string }>('POST', '/v1/tenant-connections', {
    tenantId,
    appId,
    organization: input.organization,
    ...endpoints,
  });
  const certificate = await vault<{ id: string }>(
    'POST',
    `/v1/tenant-connections/${connection.id}/certificates`,
    {
      subject: `CN=easgate e2e ${appId.slice(0, 8)}`,
      ...(input.certificateDays !== undefined && { days: input.certificateDays }),
    },
  );
  const pemRes = await fetch(
    `${input.vaultUrl}/v1/tenant-connections/${connection.id}/certificates/${certificate.id}/public.pem`,
    { headers: { authorization: `Bearer ${input.apiToken}` } },
  );
  if (!pemRes.ok) throw new Error(`cert-vault public.pem answered ${pemRes.status}`);
  const app = await input.sandbox.call<{ objectId: string }>('POST', '/apps', {
    appId,
    displayName: 'easgate e2e',
    certificates: [await pemRes.text()],
    consentGranted: true,
    roles: ['Exchange Administrator'],
  });
  await vault('PATCH', `/v1/tenant-connections/${connection.id}`, {
    applicationObjectId: app.objectId,
    ...endpoints,
  });
  await vault('POST', `/v1/tenant-connections/${connection.id}/certificates/${certificate.id}/activate`, {
    reason: 'e2e: the sandbox tenant',
  });
  return { connectionId: connection.id, certificateId: certificate.id, appId, tenantId };
}
