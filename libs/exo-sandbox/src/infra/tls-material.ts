import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as forge from 'node-forge';

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const CA_FILE = 'ca.pem';
const CA_KEY_FILE = 'ca-key.pem';
const SERVER_FILE = 'server.pem';
const SERVER_KEY_FILE = 'server-key.pem';
const DAY_MS = 86_400_000;

/**
 * Creates (or reuses) a private CA and a server certificate for 127.0.0.1 and localhost in `tlsDir`.
 * Keys come from native crypto; node-forge only assembles and signs the X.509 structures.
 */
export function ensureTlsMaterial(tlsDir: string, extraHosts: readonly string[] = []): TlsMaterial {
  mkdirSync(tlsDir, { recursive: true });
  const hosts = [...new Set(['127.0.0.1', 'localhost', ...extraHosts])];
  const reused = tryReuse(tlsDir, hosts);
  if (reused) return reused;

  const ca =
    existsSync(join(tlsDir, CA_FILE)) && existsSync(join(tlsDir, CA_KEY_FILE)) ? loadCa(tlsDir) : undefined;
  const caMaterial = ca && stillValid(ca.certPem, 30) ? ca : createCa(tlsDir);
  const server = createServerCert(caMaterial, hosts);
  writeSecret(join(tlsDir, SERVER_KEY_FILE), server.keyPem);
  writeFileSync(join(tlsDir, SERVER_FILE), server.certPem);
  return { caPem: caMaterial.certPem, certPem: server.certPem, keyPem: server.keyPem };
}

interface KeyedCert {
  certPem: string;
  keyPem: string;
}

function tryReuse(tlsDir: string, hosts: readonly string[]): TlsMaterial | undefined {
  const files = [CA_FILE, SERVER_FILE, SERVER_KEY_FILE].map((f) => join(tlsDir, f));
  if (!files.every((f) => existsSync(f))) return undefined;
  const [caPem, certPem, keyPem] = files.map((f) => readFileSync(f, 'utf8'));
  if (!stillValid(certPem, 1)) return undefined;
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(caPem);
  if (!cert.verify(ca.publicKey)) return undefined;
  if (!hosts.every((h) => (isIp(h) ? cert.checkIP(h) : cert.checkHost(h)))) return undefined;
  return { caPem, certPem, keyPem };
}

function stillValid(pem: string, minDaysLeft: number): boolean {
  const cert = new X509Certificate(pem);
  return new Date(cert.validTo).getTime() - Date.now() > minDaysLeft * DAY_MS;
}

function loadCa(tlsDir: string): KeyedCert {
  return {
    certPem: readFileSync(join(tlsDir, CA_FILE), 'utf8'),
    keyPem: readFileSync(join(tlsDir, CA_KEY_FILE), 'utf8'),
  };
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

function createCa(tlsDir: string): KeyedCert {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + 3650 * DAY_MS);
  const subject = [
    { name: 'commonName', value: 'easgate exo-sandbox local CA' },
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
  const certPem = forge.pki.certificateToPem(cert);
  writeFileSync(join(tlsDir, CA_FILE), certPem);
  writeSecret(join(tlsDir, CA_KEY_FILE), keys.keyPem);
  return { certPem, keyPem: keys.keyPem };
}

function createServerCert(ca: KeyedCert, hosts: readonly string[]): KeyedCert {
  const keys = newKeyPair();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + 397 * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: 'exo-sandbox' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: hosts.map((h) => (isIp(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

function writeSecret(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}
