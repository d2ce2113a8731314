import { createHash, type X509Certificate } from 'node:crypto';

export interface Thumbprints {
  /** Uppercase hex SHA-1 of the DER certificate, as Windows and the Entra portal show it. */
  readonly sha1: string;
  /** Uppercase hex SHA-256 of the DER certificate. */
  readonly sha256: string;
  /** base64url (no padding) SHA-1: the JWT `x5t` header. */
  readonly x5t: string;
  /** base64url (no padding) SHA-256: the JWT `x5t#S256` header. */
  readonly x5tS256: string;
}

export function thumbprints(certificate: X509Certificate | Buffer): Thumbprints {
  const raw = Buffer.isBuffer(certificate) ? certificate : certificate.raw;
  const sha1 = createHash('sha1').update(raw).digest();
  const sha256 = createHash('sha256').update(raw).digest();
  return {
    sha1: sha1.toString('hex').toUpperCase(),
    sha256: sha256.toString('hex').toUpperCase(),
    x5t: sha1.toString('base64url'),
    x5tS256: sha256.toString('base64url'),
  };
}

/** Converts a hex thumbprint (any case, colons or spaces allowed) to the base64url JWT header form. */
export function hexThumbprintToBase64Url(hex: string): string {
  const clean = hex.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(clean)) throw new Error('thumbprint is not hexadecimal');
  return Buffer.from(clean, 'hex').toString('base64url');
}
