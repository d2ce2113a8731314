import { type KeyObject, X509Certificate, createPrivateKey, randomUUID } from 'node:crypto';
import { type CertificateFacts, type SigningCertificate } from '@easgate/auth';
import type { CertificateMetadata, CertificateStatus } from '../domain/certificate';
import type { EnvelopeCipher } from '../domain/envelope-encryption';
import type { StoredCertificate } from '../infra/certificate.repository';

/** Seals a freshly opened certificate for storage. */
export function sealCertificate(
  cipher: EnvelopeCipher,
  input: {
    tenantId: string;
    connectionId: string;
    signing: Pick<SigningCertificate, 'privateKey' | 'chain'>;
    facts: CertificateFacts;
    password?: string;
    source: 'created' | 'imported';
    status: CertificateStatus;
    now: Date;
  },
): StoredCertificate {
  const id = randomUUID();
  const pkcs8 = input.signing.privateKey.export({ type: 'pkcs8', format: 'der' });
  try {
    const metadata: CertificateMetadata = {
      id,
      tenantId: input.tenantId,
      connectionId: input.connectionId,
      status: input.status,
      source: input.source,
      subject: input.facts.subject,
      issuer: input.facts.issuer,
      serialNumber: input.facts.serialNumber,
      notBefore: input.facts.notBefore,
      notAfter: input.facts.notAfter,
      thumbprintSha1: input.facts.thumbprintSha1,
      thumbprintSha256: input.facts.thumbprintSha256,
      keySize: input.facts.keySize,
      chainLength: input.signing.chain.length,
      createdAt: input.now.toISOString(),
    };
    return {
      ...metadata,
      chainDer: input.signing.chain.map((c) => c.raw),
      sealed: cipher.seal(id, {
        privateKeyPkcs8: pkcs8,
        ...(input.password !== undefined && { password: input.password }),
      }),
    };
  } finally {
    pkcs8.fill(0);
  }
}

/** The key and certificate of a stored certificate, decrypted in memory only for the call. */
export function unsealCertificate(
  cipher: EnvelopeCipher,
  stored: StoredCertificate,
): { privateKey: KeyObject; certificate: X509Certificate } {
  const secrets = cipher.open(stored.id, stored.sealed);
  try {
    return {
      privateKey: createPrivateKey({ key: secrets.privateKeyPkcs8, format: 'der', type: 'pkcs8' }),
      certificate: new X509Certificate(stored.chainDer[0]),
    };
  } finally {
    secrets.privateKeyPkcs8.fill(0);
  }
}

export function publicPem(stored: StoredCertificate): string {
  return new X509Certificate(stored.chainDer[0]).toString();
}
