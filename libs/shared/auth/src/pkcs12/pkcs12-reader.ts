import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  type Asn1,
  Asn1FormatError,
  bmpString,
  child,
  children,
  integer,
  isContextTag,
  octets,
  oid,
  parseDer,
  toDerBuffer,
} from './asn1';
import { digestByOid, Oid } from './oids';
import {
  DecryptionFailedError,
  decrypt,
  describeAlgorithm,
  type PasswordForms,
  passwordForms,
  pkcs12Kdf,
  IterationCountError,
  UnsupportedAlgorithmError,
} from './password-based-encryption';

export interface Pkcs12Bag {
  /** DER: PKCS#8 PrivateKeyInfo for keys, X.509 Certificate for certificates. */
  readonly der: Buffer;
  readonly friendlyName?: string;
  readonly localKeyId?: string;
}

export interface Pkcs12Contents {
  readonly keys: Pkcs12Bag[];
  readonly certificates: Pkcs12Bag[];
  /** e.g. "SHA256", or undefined when the file has no integrity MAC. */
  readonly macDigest?: string;
  /** Encryption schemes seen, e.g. ["PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC"]. */
  readonly encryption: string[];
}

export enum Pkcs12ReadFailure {
  NotPkcs12 = 'NOT_PKCS12',
  WrongPassword = 'WRONG_PASSWORD',
  Unsupported = 'UNSUPPORTED',
}

export class Pkcs12ReadError extends Error {
  constructor(
    readonly failure: Pkcs12ReadFailure,
    message: string,
  ) {
    super(message);
    this.name = 'Pkcs12ReadError';
  }
}

/**
 * Reads a PKCS#12 (PFX) file: OpenSSL 3 (PBES2/AES, SHA-256 MAC), legacy (RC2-40, 3DES, SHA-1 MAC) and
 * Windows exports. node-forge decodes the ASN.1; node:crypto does the MAC and ciphers (forge alone
 * fails on PBES2 with non-ASCII passwords and cannot be told which password form the MAC used).
 */
export function readPkcs12(data: Buffer, password: string): Pkcs12Contents {
  let pfx: Asn1;
  let authSafeBytes: Buffer;
  let macData: Asn1 | undefined;
  try {
    pfx = parseDer(data);
    const items = children(pfx, 'PFX');
    if (integer(items[0], 'PFX version') !== 3) throw new Asn1FormatError('PFX version is not 3');
    const authSafe = child(pfx, 1, 'authSafe');
    const contentType = oid(child(authSafe, 0, 'authSafe contentType'), 'authSafe contentType');
    if (contentType !== Oid.data) {
      throw new Pkcs12ReadError(Pkcs12ReadFailure.Unsupported, 'PKCS#12 in public-key integrity mode');
    }
    authSafeBytes = octets(
      child(child(authSafe, 1, 'authSafe content'), 0, 'authSafe data'),
      'authSafe data',
    );
    macData = items[2];
  } catch (err) {
    throw asReadError(err);
  }

  let forms: PasswordForms[];
  try {
    forms = macData ? [verifyMac(macData, authSafeBytes, password)] : passwordForms(password);
  } catch (err) {
    throw asReadError(err);
  }
  let lastError: unknown;
  for (const form of forms) {
    try {
      return decodeAuthenticatedSafe(authSafeBytes, form, macData);
    } catch (err) {
      lastError = err;
      if (!(err instanceof DecryptionFailedError)) break;
    }
  }
  throw asReadError(lastError);
}

function asReadError(err: unknown): Pkcs12ReadError {
  if (err instanceof Pkcs12ReadError) return err;
  if (err instanceof DecryptionFailedError) {
    return new Pkcs12ReadError(Pkcs12ReadFailure.WrongPassword, 'the password does not decrypt the file');
  }
  if (err instanceof IterationCountError) {
    return new Pkcs12ReadError(Pkcs12ReadFailure.Unsupported, err.message);
  }
  if (err instanceof UnsupportedAlgorithmError) {
    return new Pkcs12ReadError(Pkcs12ReadFailure.Unsupported, `unsupported algorithm: ${err.message}`);
  }
  return new Pkcs12ReadError(
    Pkcs12ReadFailure.NotPkcs12,
    err instanceof Error ? err.message : 'not a PKCS#12 structure',
  );
}

function verifyMac(macData: Asn1, authSafeBytes: Buffer, password: string): PasswordForms {
  let digest: string | undefined;
  let expected: Buffer;
  let salt: Buffer;
  let iterations: number;
  try {
    const digestInfo = child(macData, 0, 'MAC');
    const digestOid = oid(child(child(digestInfo, 0, 'MAC algorithm'), 0, 'MAC algorithm'), 'MAC algorithm');
    digest = digestByOid[digestOid];
    if (!digest) throw new UnsupportedAlgorithmError(`MAC algorithm ${digestOid}`);
    expected = octets(child(digestInfo, 1, 'MAC value'), 'MAC value');
    salt = octets(child(macData, 1, 'MAC salt'), 'MAC salt');
    const iterationNode = children(macData, 'MAC data')[2];
    iterations = iterationNode ? integer(iterationNode, 'MAC iterations') : 1;
  } catch (err) {
    throw asReadError(err);
  }
  for (const form of passwordForms(password)) {
    const key = pkcs12Kdf(digest, form.bmp, salt, 3, iterations, expected.length);
    const actual = createHmac(digest, key).update(authSafeBytes).digest();
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) return form;
  }
  throw new Pkcs12ReadError(
    Pkcs12ReadFailure.WrongPassword,
    'the password does not match the file (MAC check failed)',
  );
}

function decodeAuthenticatedSafe(
  authSafeBytes: Buffer,
  password: PasswordForms,
  macData?: Asn1,
): Pkcs12Contents {
  const keys: Pkcs12Bag[] = [];
  const certificates: Pkcs12Bag[] = [];
  const encryption = new Set<string>();
  for (const contentInfo of children(parseDer(authSafeBytes), 'AuthenticatedSafe')) {
    const type = oid(child(contentInfo, 0, 'ContentInfo type'), 'ContentInfo type');
    const content = child(contentInfo, 1, 'ContentInfo content');
    let safeContents: Asn1;
    if (type === Oid.data) {
      safeContents = parseDer(octets(child(content, 0, 'SafeContents'), 'SafeContents'));
    } else if (type === Oid.encryptedData) {
      const encryptedContentInfo = child(child(content, 0, 'EncryptedData'), 1, 'EncryptedContentInfo');
      const algorithm = child(encryptedContentInfo, 1, 'content encryption algorithm');
      const encrypted = children(encryptedContentInfo, 'EncryptedContentInfo')[2];
      if (!isContextTag(encrypted, 0)) continue; // detached content: nothing to read
      encryption.add(describeAlgorithm(algorithm));
      safeContents = parseDecrypted(decrypt(algorithm, octets(encrypted, 'encrypted content'), password));
    } else {
      continue; // enveloped data (public-key privacy mode) is not something admins export
    }
    decodeSafeContents(safeContents, password, { keys, certificates, encryption });
  }
  const macDigest = macData
    ? digestByOid[oid(child(child(child(macData, 0, 'MAC'), 0, 'MAC alg'), 0, 'MAC alg'), 'MAC alg')]
    : undefined;
  return { keys, certificates, encryption: [...encryption], macDigest: macDigest?.toUpperCase() };
}

/** Without a MAC, a wrong password can still pass the padding check (1 in 256): the garbage then fails here. */
function parseDecrypted(plaintext: Buffer): Asn1 {
  try {
    return parseDer(plaintext);
  } catch {
    throw new DecryptionFailedError('decrypted content is not DER');
  }
}

interface Sink {
  keys: Pkcs12Bag[];
  certificates: Pkcs12Bag[];
  encryption: Set<string>;
}

function decodeSafeContents(safeContents: Asn1, password: PasswordForms, sink: Sink): void {
  for (const bag of children(safeContents, 'SafeContents')) {
    const bagId = oid(child(bag, 0, 'SafeBag id'), 'SafeBag id');
    const value = child(child(bag, 1, 'SafeBag value'), 0, 'SafeBag value');
    const attributes = readAttributes(children(bag, 'SafeBag')[2]);
    switch (bagId) {
      case Oid.keyBag:
        sink.keys.push({ der: toDerBuffer(value), ...attributes });
        break;
      case Oid.shroudedKeyBag: {
        const algorithm = child(value, 0, 'EncryptedPrivateKeyInfo algorithm');
        sink.encryption.add(describeAlgorithm(algorithm));
        const encrypted = octets(child(value, 1, 'EncryptedPrivateKeyInfo data'), 'encrypted key');
        const privateKeyInfo = decrypt(algorithm, encrypted, password);
        parseDecrypted(privateKeyInfo);
        sink.keys.push({ der: privateKeyInfo, ...attributes });
        break;
      }
      case Oid.certBag: {
        if (oid(child(value, 0, 'CertBag id'), 'CertBag id') !== Oid.x509Certificate) break;
        const certificate = octets(
          child(child(value, 1, 'CertBag value'), 0, 'CertBag value'),
          'certificate',
        );
        sink.certificates.push({ der: certificate, ...attributes });
        break;
      }
      case Oid.safeContentsBag:
        decodeSafeContents(value, password, sink);
        break;
      default:
        break; // CRLs, secrets: not ours
    }
  }
}

function readAttributes(set: Asn1 | undefined): { friendlyName?: string; localKeyId?: string } {
  const out: { friendlyName?: string; localKeyId?: string } = {};
  if (!set || !Array.isArray(set.value)) return out;
  for (const attribute of set.value) {
    try {
      const type = oid(child(attribute, 0, 'attribute type'), 'attribute type');
      const first = children(child(attribute, 1, 'attribute values'), 'attribute values')[0];
      if (type === Oid.friendlyName) out.friendlyName = bmpString(first);
      if (type === Oid.localKeyId && first) out.localKeyId = octets(first, 'localKeyId').toString('hex');
    } catch {
      // A malformed optional attribute (e.g. a vendor CSP name) must not make the file unreadable.
    }
  }
  return out;
}
