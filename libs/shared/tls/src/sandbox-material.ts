import { ensureCertificateAuthority, ensureServerCertificate } from './tls-directory';

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/**
 * The Exchange Online sandbox's layout: a private CA (`ca.pem`, `ca-key.pem`) and one server certificate
 * (`server.pem`, `server-key.pem`) for 127.0.0.1, localhost and `extraHosts`, created or reused in `tlsDir`.
 */
export function ensureTlsMaterial(tlsDir: string, extraHosts: readonly string[] = []): TlsMaterial {
  const { ca } = ensureCertificateAuthority(
    tlsDir,
    { certFile: 'ca.pem', keyFile: 'ca-key.pem' },
    { commonName: 'easgate exo-sandbox local CA' },
  );
  const { certificate } = ensureServerCertificate(tlsDir, ca, {
    certFile: 'server.pem',
    keyFile: 'server-key.pem',
    commonName: 'exo-sandbox',
    hosts: [...new Set(['127.0.0.1', 'localhost', ...extraHosts])],
    days: 397,
    renewWithinDays: 1,
  });
  return { caPem: ca.certPem, certPem: certificate.certPem, keyPem: certificate.keyPem };
}
