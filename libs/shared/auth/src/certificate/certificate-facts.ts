import type { X509Certificate } from 'node:crypto';
import { child, children, isContextTag, oid, parseDer } from '../pkcs12/asn1';
import { thumbprints } from './thumbprints';

/** What `easgate cert validate --json` prints under "certificate". */
export interface CertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly thumbprintSha1: string;
  readonly thumbprintSha256: string;
  readonly keyAlgorithm: string;
  readonly keySize: number | null;
  readonly signatureAlgorithm: string;
  /** Certificates from the leaf up to the last issuer found in the file (1 for a self-signed certificate). */
  readonly chainLength: number;
}

const signatureAlgorithms: Record<string, { name: string; weak: boolean }> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', weak: true },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', weak: true },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', weak: true },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', weak: false },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', weak: false },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', weak: false },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', weak: false },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', weak: true },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', weak: false },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', weak: false },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', weak: false },
  '1.3.101.112': { name: 'ED25519', weak: false },
};
const rsassaPss = '1.2.840.113549.1.1.10';
const pssHashes: Record<string, string> = {
  '1.3.14.3.2.26': 'SHA1',
  '2.16.840.1.101.3.4.2.1': 'SHA256',
  '2.16.840.1.101.3.4.2.2': 'SHA384',
  '2.16.840.1.101.3.4.2.3': 'SHA512',
};

export interface CertificateDetails {
  readonly signatureAlgorithm: string;
  readonly weakSignature: boolean;
  /** undefined when the certificate has no keyUsage extension. */
  readonly digitalSignatureUsage: boolean | undefined;
}

/** Reads what Node's X509Certificate does not expose on Node 20: the signature algorithm and keyUsage bits. */
export function certificateDetails(certificate: X509Certificate): CertificateDetails {
  const root = parseDer(certificate.raw);
  const algorithm = child(root, 1, 'signatureAlgorithm');
  const algorithmOid = oid(child(algorithm, 0, 'signatureAlgorithm'), 'signatureAlgorithm');
  let signature = signatureAlgorithms[algorithmOid] ?? { name: algorithmOid, weak: false };
  if (algorithmOid === rsassaPss) {
    // RSASSA-PSS-params: hashAlgorithm [0] defaults to SHA-1 (RFC 4055).
    const params = children(algorithm, 'PSS')[1];
    const hashNode = Array.isArray(params?.value) ? params.value.find((n) => isContextTag(n, 0)) : undefined;
    const hashOid = hashNode ? oid(child(child(hashNode, 0, 'hash'), 0, 'hash'), 'hash') : '1.3.14.3.2.26';
    const hash = pssHashes[hashOid] ?? hashOid;
    signature = { name: `RSASSA-PSS-${hash}`, weak: hash === 'SHA1' };
  }
  return {
    signatureAlgorithm: signature.name,
    weakSignature: signature.weak,
    digitalSignatureUsage: readDigitalSignatureUsage(root),
  };
}

function readDigitalSignatureUsage(root: ReturnType<typeof parseDer>): boolean | undefined {
  const tbs = children(root, 'certificate')[0];
  const extensionsWrapper = children(tbs, 'tbsCertificate').find((n) => isContextTag(n, 3));
  if (!extensionsWrapper) return undefined;
  for (const extension of children(child(extensionsWrapper, 0, 'extensions'), 'extensions')) {
    const parts = children(extension, 'extension');
    if (oid(parts[0], 'extension id') !== '2.5.29.15') continue;
    const octetString = parts[parts.length - 1];
    if (!octetString || typeof octetString.value !== 'string') return undefined;
    const bitString = parseDer(Buffer.from(octetString.value, 'binary'));
    const bits =
      typeof bitString.value === 'string' ? Buffer.from(bitString.value, 'binary') : Buffer.alloc(0);
    // bits[0] = unused-bit count, bits[1] bit 7 = digitalSignature
    return bits.length > 1 && (bits[1] & 0x80) !== 0;
  }
  return undefined;
}

/** Node prints names one attribute per line, most general first; people read "CN=…, O=…". */
export function displayName(nodeName: string): string {
  return nodeName
    .split('\n')
    .filter((part) => part.length > 0)
    .reverse()
    .join(', ');
}

export function certificateFacts(certificate: X509Certificate, chainLength: number): CertificateFacts {
  const prints = thumbprints(certificate);
  const publicKey = certificate.publicKey;
  const details = certificateDetails(certificate);
  return {
    subject: displayName(certificate.subject),
    issuer: displayName(certificate.issuer),
    serialNumber: certificate.serialNumber.toUpperCase(),
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
    thumbprintSha1: prints.sha1,
    thumbprintSha256: prints.sha256,
    keyAlgorithm: (publicKey.asymmetricKeyType ?? 'unknown').toUpperCase(),
    keySize: publicKey.asymmetricKeyDetails?.modulusLength ?? null,
    signatureAlgorithm: details.signatureAlgorithm,
    chainLength,
  };
}
