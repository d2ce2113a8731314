import { generateKeyPair, type KeyObject, randomBytes, sign, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { writePkcs12 } from '../pkcs12/pkcs12-writer';
import { CertificateCreationError, CertificateCreationErrorCode } from './certificate-creation-error';
import { certificateFacts, type CertificateFacts } from './certificate-facts';
import { formatDistinguishedName, parseDistinguishedName } from './distinguished-name';
import { keyCredentialFor, type KeyCredential } from './key-credential';

export const SUPPORTED_KEY_SIZES = [2048, 3072, 4096] as const;
export type KeySize = (typeof SUPPORTED_KEY_SIZES)[number];

export interface CreateSelfSignedInput {
  /** e.g. "CN=easgate, O=Contoso" */
  readonly subject: string;
  readonly password: string;
  /** Default 365. Entra's documented maximum is one year. */
  readonly days?: number;
  readonly keySize?: number;
  readonly now: Date;
  readonly friendlyName?: string;
}

export interface SelfSignedCertificate {
  /** PKCS#12 (AES-256-CBC + PBKDF2-SHA256, SHA-256 MAC). */
  readonly pfx: Buffer;
  /** The public certificate, DER (.cer) — what the Entra portal accepts. */
  readonly cer: Buffer;
  readonly pem: string;
  readonly keyCredential: KeyCredential;
  readonly facts: CertificateFacts;
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject;
}

const generateRsa = promisify(generateKeyPair);
// Present in node-forge, missing from its type definitions.
const forgeTbs = forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };

/** Key generation and signing with native crypto; node-forge only lays out the X.509 structure. */
export async function createSelfSignedCertificate(
  input: CreateSelfSignedInput,
): Promise<SelfSignedCertificate> {
  const days = input.days ?? 365;
  const keySize = input.keySize ?? 2048;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new CertificateCreationError(
      CertificateCreationErrorCode.InvalidValidity,
      `Validity must be a whole number of days between 1 and 3650, not ${days}. Entra accepts at most 365 by default.`,
    );
  }
  if (!(SUPPORTED_KEY_SIZES as readonly number[]).includes(keySize)) {
    throw new CertificateCreationError(
      CertificateCreationErrorCode.InvalidKeySize,
      `Key size must be one of ${SUPPORTED_KEY_SIZES.join(', ')}, not ${keySize}.`,
    );
  }
  if (input.password === '') {
    throw new CertificateCreationError(
      CertificateCreationErrorCode.EmptyPassword,
      'A password is required to protect the private key in the .pfx file.',
    );
  }
  const subject = parseDistinguishedName(input.subject);
  const { privateKey, publicKey } = await generateRsa('rsa', {
    modulusLength: keySize,
    publicExponent: 0x10001,
  });
  const certificate = buildCertificate(subject, days, input.now, privateKey, publicKey);
  const friendlyName = input.friendlyName ?? formatDistinguishedName(subject);
  return {
    pfx: writePkcs12({ privateKey, certificate: certificate.raw, password: input.password, friendlyName }),
    cer: certificate.raw,
    pem: certificate.toString(),
    keyCredential: keyCredentialFor(certificate),
    facts: certificateFacts(certificate, 1),
    certificate,
    privateKey,
  };
}

function buildCertificate(
  subject: ReturnType<typeof parseDistinguishedName>,
  days: number,
  now: Date,
  privateKey: KeyObject,
  publicKey: KeyObject,
): X509Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40; // positive INTEGER, no leading zero byte
  cert.serialNumber = serial.toString('hex');
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  // forge reads valueTagClass as the string's universal tag (its typings call it a Class).
  const tagOf = (shortName: string): forge.asn1.Class =>
    (shortName === 'C' ? forge.asn1.Type.PRINTABLESTRING : forge.asn1.Type.UTF8) as number;
  const attributes: forge.pki.CertificateField[] = subject.map((a) => ({
    type: a.type,
    value: forge.util.encodeUtf8(a.value),
    valueTagClass: tagOf(a.shortName),
  }));
  cert.setSubject(attributes);
  cert.setIssuer(attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  const sha256WithRsa = forge.pki.oids['sha256WithRSAEncryption'];
  cert.signatureOid = sha256WithRsa;
  cert.siginfo.algorithmOid = sha256WithRsa;
  const tbs = Buffer.from(forge.asn1.toDer(forgeTbs.getTBSCertificate(cert)).getBytes(), 'binary');
  cert.signature = sign('sha256', tbs, privateKey).toString('binary');
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return new X509Certificate(der);
}
