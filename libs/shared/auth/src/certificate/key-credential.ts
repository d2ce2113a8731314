import { randomUUID, type X509Certificate } from 'node:crypto';
import { displayName } from './certificate-facts';
import { thumbprints } from './thumbprints';

/** One entry of the Entra application's `keyCredentials` (manifest and Microsoft Graph). */
export interface KeyCredential {
  /** base64 of the SHA-1 thumbprint bytes (what the portal stores). */
  readonly customKeyIdentifier: string;
  readonly keyId: string;
  readonly type: 'AsymmetricX509Cert';
  readonly usage: 'Verify';
  /** base64 (standard) of the DER certificate. */
  readonly key: string;
  readonly startDateTime: string;
  readonly endDateTime: string;
  readonly displayName: string;
}

export function keyCredentialFor(certificate: X509Certificate, keyId: string = randomUUID()): KeyCredential {
  return {
    customKeyIdentifier: Buffer.from(thumbprints(certificate).sha1, 'hex').toString('base64'),
    keyId,
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
    key: certificate.raw.toString('base64'),
    startDateTime: new Date(certificate.validFrom).toISOString(),
    endDateTime: new Date(certificate.validTo).toISOString(),
    displayName: displayName(certificate.subject),
  };
}
