import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import { TlsError, TlsErrorCode } from './tls-error';

/** The one setting every service-to-service caller reads: the CA (PEM) that signed the services' certificates. */
export const TLS_CA_FILE_ENV = 'EASGATE_TLS_CA_FILE';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The CA bundle named by EASGATE_TLS_CA_FILE, or undefined when it is not set. A set name that cannot be
 * read, or that holds no certificate, is an error naming the key (TLS_CA_FILE_INVALID): a caller that
 * silently fell back to the system CAs would only fail later, on the first call, with a vaguer message.
 */
export function peerCaFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env[TLS_CA_FILE_ENV];
  if (file === undefined || file === '') return undefined;
  return readCaFile(file, TLS_CA_FILE_ENV);
}

/** A CA bundle file (one or more PEM certificates); `source` names the setting or flag in errors. */
export function readCaFile(file: string, source: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TlsError(
      TlsErrorCode.CaFileInvalid,
      `${source}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  try {
    if (certificates.length === 0) throw new Error('none');
    for (const pem of certificates) new X509Certificate(pem);
  } catch {
    throw new TlsError(TlsErrorCode.CaFileInvalid, `${source}: ${file} is not a PEM certificate (CA) file`);
  }
  return certificates.join('\n');
}

/** TLS options trusting the system CAs and, when given, the services' CA. */
export function peerTlsOptions(caPem: string | undefined): { ca?: string[] } {
  return caPem === undefined ? {} : { ca: [...rootCertificates, caPem] };
}

/** An undici dispatcher for calls to the other services: the system CAs plus the services' CA. */
export function peerDispatcher(caPem: string | undefined, options: Agent.Options = {}): Agent {
  return new Agent({ ...options, connect: peerTlsOptions(caPem) });
}

/** Node's codes for a certificate the client refused. */
const REFUSED_CERTIFICATE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * When `err` (a fetch failure, or its cause) is a refused peer certificate: a TlsError saying which host,
 * why, and what to set. Otherwise undefined (the caller keeps its own error).
 */
export function refusedPeerCertificate(err: unknown, url: string): TlsError | undefined {
  // Duck-typed, not `instanceof Error`: Node's own errors come from another realm under a test VM.
  for (
    let e: unknown = err, depth = 0;
    typeof e === 'object' && e !== null && depth < 4;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string' || !REFUSED_CERTIFICATE.has(code)) continue;
    const host = new URL(url).host;
    const fix =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? `its certificate does not name ${new URL(url).hostname}: issue it for that name (easgate tls init --hosts)`
        : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
          ? 'renew its certificate (easgate tls init renews what is near its end)'
          : `set ${TLS_CA_FILE_ENV} to the CA that issued its certificate (easgate tls init makes one)`;
    return new TlsError(
      TlsErrorCode.PeerCertificateRefused,
      `the certificate of ${host} is not trusted (${code}): ${fix}`,
    );
  }
  return undefined;
}
