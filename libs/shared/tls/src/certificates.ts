import { X509Certificate, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import * as forge from 'node-forge';

/** A certificate and its private key, PEM. */
export interface KeyedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

const DAY_MS = 86_400_000;

/**
 * A private CA (RSA 2048, SHA-256) valid `days` from `now`. Keys come from native crypto; node-forge
 * only assembles and signs the X.509 structures.
 */
export function createCertificateAuthority(
  commonName: string,
  days: number,
  now = new Date(),
): KeyedCertificate {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + days * DAY_MS);
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'easgate' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

/**
 * A server certificate signed by `ca` for `hosts` (DNS names and IP addresses as subject alternative
 * names), valid `days` from `now` but never beyond the CA itself.
 */
export function issueServerCertificate(
  ca: KeyedCertificate,
  commonName: string,
  hosts: readonly string[],
  days: number,
  now = new Date(),
): KeyedCertificate {
  const keys = newKeyPair();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  const wanted = now.getTime() + days * DAY_MS;
  cert.validity.notAfter = new Date(Math.min(wanted, caCert.validity.notAfter.getTime()));
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

/** Why a certificate would not be kept as it is; undefined when it may be. */
export type CertificateProblem = 'expiring' | 'not-issued-by-ca' | 'hosts-missing' | 'key-mismatch';

/**
 * Whether `cert` can be kept: signed by `caPem`, its key is `keyPem`, it names every host, and it is
 * valid for more than `renewWithinDays` after `now`.
 */
export function certificateProblem(
  cert: KeyedCertificate,
  options: { caPem?: string; hosts?: readonly string[]; renewWithinDays: number; now?: Date },
): CertificateProblem | undefined {
  const x509 = new X509Certificate(cert.certPem);
  const now = options.now ?? new Date();
  if (new Date(x509.validTo).getTime() - now.getTime() <= options.renewWithinDays * DAY_MS) return 'expiring';
  if (options.caPem !== undefined && !x509.verify(new X509Certificate(options.caPem).publicKey))
    return 'not-issued-by-ca';
  const spki = (pem: string | ReturnType<typeof createPublicKey>) =>
    (typeof pem === 'string' ? createPublicKey(pem) : pem).export({ type: 'spki', format: 'der' });
  if (!spki(x509.publicKey).equals(spki(cert.keyPem))) return 'key-mismatch';
  const names = (options.hosts ?? []).every((h) => (isIP(h) ? x509.checkIP(h) : x509.checkHost(h)));
  return names ? undefined : 'hosts-missing';
}

/** The end of a certificate's validity. */
export function notAfterOf(certPem: string): Date {
  return new Date(new X509Certificate(certPem).validTo);
}

function newKeyPair(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.PrivateKey; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey),
    privateKey: forge.pki.privateKeyFromPem(privateKey),
    keyPem: privateKey,
  };
}

function serialNumber(): string {
  // Positive serial: clear the top bit.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0] & 0x7f;
  return bytes.toString('hex');
}
