import { constants, createHash, randomUUID, sign, X509Certificate, generateKeyPairSync } from 'node:crypto';
import * as forge from 'node-forge';

export interface TestCertificate {
  certPem: string;
  keyPem: string;
  /** Upper-case hex SHA-1 of the DER. */
  sha1Hex: string;
  sha256Hex: string;
}

export function describeCertificate(certPem: string, keyPem: string): TestCertificate {
  const der = new X509Certificate(certPem).raw;
  return {
    certPem,
    keyPem,
    sha1Hex: createHash('sha1').update(der).digest('hex').toUpperCase(),
    sha256Hex: createHash('sha256').update(der).digest('hex').toUpperCase(),
  };
}

/** A self-signed RSA certificate built in memory (unit tests; medium tests use OpenSSL). */
export function buildSelfSignedCertificate(
  options: { notBefore?: Date; notAfter?: Date; cn?: string } = {},
): TestCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = '01';
  cert.validity.notBefore = options.notBefore ?? new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = options.notAfter ?? new Date(Date.now() + 30 * 86_400_000);
  const subject = [{ name: 'commonName', value: options.cn ?? 'easgate-test' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return describeCertificate(forge.pki.certificateToPem(cert), privateKey);
}

export interface AssertionOptions {
  clientId: string;
  audience: string;
  alg?: 'RS256' | 'PS256' | 'ES256' | 'HS256';
  thumbprint?: 'x5t' | 'x5t#S256' | 'none';
  nbf?: number;
  exp?: number;
  iss?: string;
  sub?: string;
  jti?: string;
  /** Sign with this key instead of the certificate's. */
  signingKeyPem?: string;
}

/** A client assertion built by hand with node:crypto, as the Entra docs describe it. */
export function buildClientAssertion(cert: TestCertificate, o: AssertionOptions): string {
  const alg = o.alg ?? 'RS256';
  const now = Math.floor(Date.now() / 1000);
  const header: Record<string, unknown> = { alg, typ: 'JWT' };
  const thumb = o.thumbprint ?? (alg === 'PS256' ? 'x5t#S256' : 'x5t');
  if (thumb === 'x5t') header.x5t = Buffer.from(cert.sha1Hex, 'hex').toString('base64url');
  if (thumb === 'x5t#S256') header['x5t#S256'] = Buffer.from(cert.sha256Hex, 'hex').toString('base64url');
  const payload = {
    aud: o.audience,
    iss: o.iss ?? o.clientId,
    sub: o.sub ?? o.clientId,
    jti: o.jti ?? randomUUID(),
    nbf: o.nbf ?? now,
    iat: o.nbf ?? now,
    exp: o.exp ?? now + 600,
  };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const key = o.signingKeyPem ?? cert.keyPem;
  const signature =
    alg === 'PS256'
      ? sign('sha256', Buffer.from(input), {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        })
      : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

/** A Graph addKey/removeKey proof of possession: aud 00000002-…, iss = application object id. */
export function buildGraphProof(cert: TestCertificate, objectId: string, lifetimeSeconds = 600): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', x5t: Buffer.from(cert.sha1Hex, 'hex').toString('base64url') };
  const payload = {
    aud: '00000002-0000-0000-c000-000000000000',
    iss: objectId,
    nbf: now,
    exp: now + lifetimeSeconds,
  };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), cert.keyPem).toString('base64url')}`;
}
