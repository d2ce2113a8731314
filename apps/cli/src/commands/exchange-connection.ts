import { randomUUID } from 'node:crypto';
import { CertificateError, loadSigningCertificate, type SigningCertificate } from '@easgate/auth';
import {
  type ExchangeClient,
  ExchangeClientFactory,
  localAssertionProvider,
  TenantConnection,
  UndiciTransport,
} from '@easgate/exchange-executor';
import { readInputFile, UsageError } from './usage';

/** Where and as whom the CLI talks to Entra ID and Exchange Online (what Connect-ExchangeOnline takes). */
export interface ExchangeTarget {
  appId: string;
  organization: string;
  tenantId?: string;
  cloud: string;
  authorityHost?: string;
  exchangeEndpoint?: string;
  /** An extra CA to trust (the sandbox's ca.pem). */
  caFile?: string;
}

/** Runs `work` with a client signing its assertions with the local certificate; the HTTP pool is closed after. */
export async function withExchangeClient<T>(
  target: ExchangeTarget,
  signing: SigningCertificate,
  work: (client: ExchangeClient) => Promise<T>,
): Promise<T> {
  const opened = openExchangeClient(target, signing);
  try {
    return await work(opened.client);
  } finally {
    await opened.close();
  }
}

/** A client and the way to release its connections. */
export function openExchangeClient(
  target: ExchangeTarget,
  signing: SigningCertificate,
): { client: ExchangeClient; close: () => Promise<void> } {
  const parsed = TenantConnection.safeParse({
    id: `cli-${randomUUID()}`,
    appId: target.appId,
    organization: target.organization,
    ...(target.tenantId !== undefined && { tenantId: target.tenantId }),
    cloud: target.cloud,
    ...(target.authorityHost !== undefined && { authorityHost: target.authorityHost }),
    ...(target.exchangeEndpoint !== undefined && { exchangeEndpoint: target.exchangeEndpoint }),
  });
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const http = new UndiciTransport(
    target.caFile ? { caPem: readInputFile(target.caFile).toString('utf8') } : {},
  );
  try {
    const client = new ExchangeClientFactory({ http }).clientFor(
      parsed.data,
      localAssertionProvider(parsed.data.appId, signing),
    );
    return { client, close: () => http.close() };
  } catch (err) {
    void http.close();
    // Unknown cloud names and non-https overrides are caller mistakes.
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** The certificate to sign with; a certificate easgate cannot use is a usage error here. */
export function loadCertificate(path: string, password: string): SigningCertificate {
  try {
    return loadSigningCertificate({ data: readInputFile(path), password, now: new Date() });
  } catch (err) {
    if (err instanceof CertificateError) throw new UsageError(`${err.code}: ${err.message}`);
    throw err;
  }
}
