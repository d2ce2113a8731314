import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningSandbox } from '@easgate/exo-sandbox';

/**
 * `easgate start` without a tenant of its own: the local sandbox is the tenant. This wires it up the
 * way an Exchange admin would wire a real one (flow 1 of PRODUCT.md): a tenant connection in the
 * vault, a certificate the vault creates (its private key never leaves the vault), the public
 * certificate registered on the app in the "Entra" of the sandbox with consent and the Exchange
 * Administrator role, then the certificate activated. The sandbox keeps its directory in memory,
 * so the registration is redone at every start; the app id is kept in the data directory.
 */
export interface SandboxTenantLink {
  connectionId: string;
  appId: string;
  tenantId: string;
  organization: string;
  certificateThumbprint: string;
}

interface VaultConnection {
  id: string;
  tenantId: string;
  appId: string;
}
interface VaultCertificate {
  id: string;
  status: string;
  thumbprintSha1: string;
}

export async function linkSandboxTenant(
  sandbox: RunningSandbox,
  vaultUrl: string,
  apiToken: string,
  dataDir: string,
): Promise<SandboxTenantLink> {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${vaultUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiToken}`,
        'x-easgate-actor': 'easgate-start',
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`cert-vault ${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  const appIdFile = join(dataDir, 'sandbox-app-id');
  if (!existsSync(appIdFile)) writeFileSync(appIdFile, `${randomUUID()}\n`);
  const appId = readFileSync(appIdFile, 'utf8').trim();
  const tenantId = sandbox.tenantId.toLowerCase();

  const connections = await call<VaultConnection[]>('GET', `/v1/tenant-connections?tenantId=${tenantId}`);
  const endpoints = {
    authorityHost: sandbox.baseUrl,
    exchangeEndpoint: sandbox.baseUrl,
    graphUrl: sandbox.baseUrl,
  };
  const connection =
    connections.find((c) => c.appId === appId) ??
    (await call<VaultConnection>('POST', '/v1/tenant-connections', {
      tenantId,
      appId,
      organization: sandbox.organization,
      ...endpoints,
    }));

  const certificates = await call<VaultCertificate[]>(
    'GET',
    `/v1/tenant-connections/${connection.id}/certificates`,
  );
  let active = certificates.find((c) => c.status === 'active');
  const certificate =
    active ??
    (await call<VaultCertificate>('POST', `/v1/tenant-connections/${connection.id}/certificates`, {
      subject: `CN=easgate sandbox ${appId.slice(0, 8)}`,
    }));
  const pem = await fetch(
    `${vaultUrl}/v1/tenant-connections/${connection.id}/certificates/${certificate.id}/public.pem`,
    { headers: { authorization: `Bearer ${apiToken}` } },
  ).then((r) => r.text());
  const app = sandbox.sandbox.registerApp({
    appId,
    displayName: 'easgate (embedded)',
    certificates: [pem],
    consentGranted: true,
    roles: ['Exchange Administrator'],
  });
  // The sandbox gives the app a new object id at every start: Graph rotation needs the current one.
  await call('PATCH', `/v1/tenant-connections/${connection.id}`, {
    applicationObjectId: app.objectId,
    ...endpoints,
  });
  if (!active) {
    active = await call<VaultCertificate>(
      'POST',
      `/v1/tenant-connections/${connection.id}/certificates/${certificate.id}/activate`,
      { reason: 'easgate start: the embedded sandbox tenant' },
    );
  }
  return {
    connectionId: connection.id,
    appId,
    tenantId,
    organization: sandbox.organization,
    certificateThumbprint: active.thumbprintSha1 ?? certificate.thumbprintSha1,
  };
}
