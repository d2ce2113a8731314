import { createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { CertificateError, CertificateErrorCode, CertificateWarningCode } from './certificate-error';
import { certificateDetails, certificateFacts, type CertificateFacts } from './certificate-facts';
import { openCertificateFile, type OpenedCertificateFile } from './certificate-file';

export interface Finding<C extends string> {
  readonly code: C;
  readonly message: string;
}

/** The JSON printed by `easgate cert validate --json`. */
export interface CertificateValidationResult {
  readonly valid: boolean;
  readonly errors: Finding<CertificateErrorCode>[];
  readonly warnings: Finding<CertificateWarningCode>[];
  /** Present whenever the file could be opened and holds a certificate. */
  readonly certificate?: CertificateFacts;
}

export interface ValidateCertificateInput {
  readonly data: Buffer;
  readonly password: string;
  readonly now: Date;
  /** Default 2048; Entra needs RSA and 2048 is the floor in practice. */
  readonly minimumRsaBits?: number;
  /** Default 30. */
  readonly expiryWarningDays?: number;
}

/** A certificate ready to sign with: the key, its certificate and the issuers found in the same file. */
export interface SigningCertificate {
  readonly privateKey: KeyObject;
  readonly certificate: X509Certificate;
  /** Leaf first, then each issuer found in the file. */
  readonly chain: X509Certificate[];
  readonly facts: CertificateFacts;
  readonly friendlyName?: string;
}

/** A file's verdict and, when it holds a matching key, the certificate to sign with. */
export interface CertificateAssessment {
  readonly result: CertificateValidationResult;
  readonly signing?: SigningCertificate;
}

const DAY_MS = 86_400_000;

export function validateCertificate(input: ValidateCertificateInput): CertificateValidationResult {
  return assessCertificate(input).result;
}

/** Opens and validates; throws CertificateError with the first error when the certificate is not usable. */
export function loadSigningCertificate(input: ValidateCertificateInput): SigningCertificate {
  return usableSigningCertificate(assessCertificate(input));
}

/** The signing certificate of an assessment; throws CertificateError with its first error. */
export function usableSigningCertificate({ result, signing }: CertificateAssessment): SigningCertificate {
  const first = result.errors[0];
  if (first) throw new CertificateError(first.code, first.message);
  if (!signing) throw new CertificateError(CertificateErrorCode.NoPrivateKey, 'No usable private key.');
  return signing;
}

/**
 * Opens and judges a certificate file (synchronously: a PKCS#12 key derivation runs on the calling
 * thread; services use `assessCertificateInWorker`).
 */
export function assessCertificate(input: ValidateCertificateInput): CertificateAssessment {
  const errors: Finding<CertificateErrorCode>[] = [];
  const warnings: Finding<CertificateWarningCode>[] = [];
  const fail = (code: CertificateErrorCode, message: string): void => void errors.push({ code, message });
  const warn = (code: CertificateWarningCode, message: string): void => void warnings.push({ code, message });

  let file: OpenedCertificateFile;
  try {
    file = openCertificateFile(input.data, input.password);
  } catch (err) {
    if (!(err instanceof CertificateError)) throw err;
    return { result: { valid: false, errors: [{ code: err.code, message: err.message }], warnings } };
  }
  if (input.password === '' && file.format === 'pkcs12') {
    warn(
      CertificateWarningCode.EmptyPassword,
      'The file has an empty password: anyone who gets a copy can use the private key. Protect it with a password.',
    );
  }
  if (file.keyUnencrypted) {
    warn(
      CertificateWarningCode.UnencryptedPrivateKey,
      'The private key is stored unencrypted in this file. Keep the file somewhere only easgate can read.',
    );
  }

  const keys = distinctKeys(file.keys);
  if (file.certificates.length === 0) {
    fail(CertificateErrorCode.NoCertificate, 'The file holds no certificate, only a private key.');
    return { result: { valid: false, errors, warnings } };
  }
  if (keys.length === 0) {
    fail(
      CertificateErrorCode.NoPrivateKey,
      'The file holds no private key. Export the certificate again "with the private key" (.pfx).',
    );
  } else if (keys.length > 1) {
    fail(
      CertificateErrorCode.MultipleKeys,
      `The file holds ${keys.length} private keys; easgate needs exactly one. Export only the certificate you registered in Entra.`,
    );
  }

  const key = keys.length === 1 ? keys[0] : undefined;
  const matching = key ? file.certificates.find((certificate) => matches(certificate, key)) : undefined;
  if (key && !matching) {
    fail(
      CertificateErrorCode.KeyCertMismatch,
      'The private key does not belong to any certificate in the file. The file mixes a key and a certificate from different pairs.',
    );
  }
  const leaf = matching ?? guessLeaf(file);
  const chain = buildChain(leaf, file.certificates);
  const unrelated = file.certificates.filter((c) => !chain.some((inChain) => inChain.raw.equals(c.raw)));
  if (unrelated.length > 0) {
    warn(
      CertificateWarningCode.UnrelatedCertificates,
      `The file also holds ${unrelated.length} certificate(s) unrelated to the key; easgate ignores them.`,
    );
  }

  const facts = certificateFacts(leaf, chain.length);
  const details = certificateDetails(leaf);
  const publicKey = leaf.publicKey;
  if (publicKey.asymmetricKeyType !== 'rsa') {
    fail(
      CertificateErrorCode.NotRsa,
      `The certificate has a ${facts.keyAlgorithm} key. Entra client assertions need an RSA key: create an RSA certificate.`,
    );
  } else {
    const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
    const minimum = input.minimumRsaBits ?? 2048;
    if (bits < minimum) {
      fail(
        CertificateErrorCode.RsaTooSmall,
        `The RSA key has ${bits} bits; at least ${minimum} are required. Create a new certificate with a ${minimum}-bit key or larger.`,
      );
    }
  }
  const now = input.now.getTime();
  const notBefore = Date.parse(facts.notBefore);
  const notAfter = Date.parse(facts.notAfter);
  if (now > notAfter) {
    fail(
      CertificateErrorCode.Expired,
      `The certificate expired on ${facts.notAfter}. Create or request a new one.`,
    );
  } else if (now < notBefore) {
    fail(
      CertificateErrorCode.NotYetValid,
      `The certificate is not valid before ${facts.notBefore}. Check the clock, or wait until then.`,
    );
  } else {
    const daysLeft = Math.floor((notAfter - now) / DAY_MS);
    if (daysLeft < (input.expiryWarningDays ?? 30)) {
      warn(
        CertificateWarningCode.ExpiresSoon,
        `The certificate expires in ${daysLeft} day(s), on ${facts.notAfter}. Plan its rotation now.`,
      );
    }
  }
  if (details.weakSignature) {
    fail(
      CertificateErrorCode.WeakSignatureAlgorithm,
      `The certificate is signed with ${details.signatureAlgorithm}, which is broken. Issue a certificate signed with SHA-256.`,
    );
  }
  if (details.digitalSignatureUsage === false) {
    warn(
      CertificateWarningCode.NoDigitalSignatureUsage,
      'The certificate limits its key usage and does not include digitalSignature; strict verifiers may refuse its signatures.',
    );
  }

  const result: CertificateValidationResult = {
    valid: errors.length === 0,
    errors,
    warnings,
    certificate: facts,
  };
  const signing =
    key && matching
      ? { privateKey: key, certificate: leaf, chain, facts, friendlyName: file.friendlyName }
      : undefined;
  return { result, signing };
}

function distinctKeys(keys: KeyObject[]): KeyObject[] {
  const seen = new Map<string, KeyObject>();
  for (const key of keys) {
    const spki = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
    if (!seen.has(spki)) seen.set(spki, key);
  }
  return [...seen.values()];
}

function matches(certificate: X509Certificate, key: KeyObject): boolean {
  try {
    return certificate.checkPrivateKey(key);
  } catch {
    return false;
  }
}

/** Without a matching key, show the certificate the exporter paired with the key, else the end entity. */
function guessLeaf(file: OpenedCertificateFile): X509Certificate {
  const pairedId = file.keyLocalIds.find((id) => id !== undefined);
  const pairedIndex = pairedId ? file.certificateLocalIds.indexOf(pairedId) : -1;
  const paired = pairedIndex >= 0 ? file.certificates[pairedIndex] : undefined;
  if (paired) return paired;
  const endEntity = file.certificates.find(
    (candidate) => !file.certificates.some((other) => other !== candidate && issued(candidate, other)),
  );
  return endEntity ?? file.certificates[0];
}

function issued(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Leaf first, then its issuers in order, whatever order the file stored them in. */
function buildChain(leaf: X509Certificate, all: X509Certificate[]): X509Certificate[] {
  const chain = [leaf];
  let current = leaf;
  while (chain.length <= all.length) {
    if (issued(current, current)) break; // self-signed: the top
    const next = all.find(
      (candidate) => !chain.some((c) => c.raw.equals(candidate.raw)) && issued(candidate, current),
    );
    if (!next) break;
    chain.push(next);
    current = next;
  }
  return chain;
}
