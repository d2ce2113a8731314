import { createCipheriv, createDecipheriv, createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { type Asn1, Asn1FormatError, child, children, der, integer, octets, oid } from './asn1';
import { Oid, prfDigestByOid } from './oids';

/**
 * The password as each PKCS#12 mechanism wants it. PBES2 (RFC 8018) hashes the UTF-8 bytes, as OpenSSL
 * and Windows do; the PKCS#12 KDF (MAC and legacy RC2/3DES bags) uses a NUL-terminated BMPString.
 * node-forge feeds PBES2 the JS string's char codes, which breaks non-ASCII passwords: hence this module.
 */
export interface PasswordForms {
  readonly utf8: Buffer;
  readonly bmp: Buffer;
}

export function passwordForms(password: string): PasswordForms[] {
  const utf8 = Buffer.from(password, 'utf8');
  const forms: PasswordForms[] = [{ utf8, bmp: bmpWithTerminator(password) }];
  // OpenSSL < 1.1 widened each UTF-8 byte into a BMP character; files it wrote with non-ASCII passwords
  // only open that way.
  if ([...password].some((ch) => ch.charCodeAt(0) > 0x7f))
    forms.push({ utf8, bmp: bmpWithTerminator(utf8.toString('latin1')) });
  // An empty password may have been applied as "no password at all" (zero bytes).
  if (password === '') forms.push({ utf8, bmp: Buffer.alloc(0) });
  return forms;
}

function bmpWithTerminator(text: string): Buffer {
  const le = Buffer.from(`${text}\u0000`, 'utf16le');
  return le.swap16();
}

const blockSizeByDigest: Record<string, number> = {
  sha1: 64,
  sha224: 64,
  sha256: 64,
  sha384: 128,
  sha512: 128,
  md5: 64,
};

/**
 * Iteration counts above these are refused before any work: real exporters use 2,000 to 10,000 for the
 * PKCS#12 KDF (OpenSSL 2048, Windows 2000, Java 10000) and up to 600,000 for PBKDF2; a hostile file
 * with 2^31 iterations would otherwise block for most of an hour.
 */
export const MAX_PKCS12_KDF_ITERATIONS = 100_000;
export const MAX_PBKDF2_ITERATIONS = 1_000_000;

export class IterationCountError extends Error {}

function boundedIterations(iterations: number, max: number, what: string): number {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > max)
    throw new IterationCountError(`${what} iteration count ${iterations} is outside 1-${max}`);
  return iterations;
}

/** RFC 7292 appendix B.2 key derivation. id 1 = key, 2 = IV, 3 = MAC key. */
export function pkcs12Kdf(
  digest: string,
  bmpPassword: Buffer,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  length: number,
): Buffer {
  boundedIterations(iterations, MAX_PKCS12_KDF_ITERATIONS, 'PKCS#12 KDF');
  const v = blockSizeByDigest[digest];
  if (!v) throw new UnsupportedAlgorithmError(`digest ${digest}`);
  const fill = (source: Buffer): Buffer => {
    if (source.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(source.length / v));
    for (let i = 0; i < out.length; i++) out[i] = source[i % source.length]!;
    return out;
  };
  const d = Buffer.alloc(v, id);
  const input = Buffer.concat([fill(salt), fill(bmpPassword)]);
  const blocks: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    let a = createHash(digest).update(d).update(input).digest();
    for (let i = 1; i < iterations; i++) a = createHash(digest).update(a).digest();
    blocks.push(a);
    produced += a.length;
    const b = fill(a);
    for (let offset = 0; offset < input.length; offset += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = input[offset + k] + b[k] + carry;
        input[offset + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

export class UnsupportedAlgorithmError extends Error {}
/** Padding did not check out after decryption: in practice, a wrong password. */
export class DecryptionFailedError extends Error {}

const pbes2Ciphers: Record<string, { name: string; keyLength: number }> = {
  [Oid.aes128Cbc]: { name: 'aes-128-cbc', keyLength: 16 },
  [Oid.aes192Cbc]: { name: 'aes-192-cbc', keyLength: 24 },
  [Oid.aes256Cbc]: { name: 'aes-256-cbc', keyLength: 32 },
  [Oid.desEde3Cbc]: { name: 'des-ede3-cbc', keyLength: 24 },
};

/** Human description of an encryption AlgorithmIdentifier, e.g. "PBES2/PBKDF2-hmacWithSHA256/aes-256-cbc". */
export function describeAlgorithm(algorithm: Asn1): string {
  try {
    const id = oid(child(algorithm, 0, 'algorithm'), 'algorithm');
    if (id !== Oid.pbes2) return legacyNames[id] ?? id;
    const params = child(algorithm, 1, 'PBES2 parameters');
    const kdfParams = children(child(child(params, 0, 'kdf'), 1, 'kdf params'), 'PBKDF2 params');
    const prfNode = kdfParams.find((n) => Array.isArray(n.value));
    const prf = prfNode ? prfDigestByOid[oid(child(prfNode, 0, 'prf'), 'prf')] : 'sha1';
    const cipher = pbes2Ciphers[oid(child(child(params, 1, 'enc'), 0, 'enc'), 'enc')]?.name ?? 'unknown';
    return `PBES2/PBKDF2-HMAC-${(prf ?? 'unknown').toUpperCase()}/${cipher.toUpperCase()}`;
  } catch {
    return 'unknown';
  }
}

const legacyNames: Record<string, string> = {
  [Oid.pbeSha1Rc4128]: 'pbeWithSHA1And128BitRC4',
  [Oid.pbeSha1Rc440]: 'pbeWithSHA1And40BitRC4',
  [Oid.pbeSha1TripleDes]: 'pbeWithSHA1And3-KeyTripleDES-CBC',
  [Oid.pbeSha1TwoKeyTripleDes]: 'pbeWithSHA1And2-KeyTripleDES-CBC',
  [Oid.pbeSha1Rc2128]: 'pbeWithSHA1And128BitRC2-CBC',
  [Oid.pbeSha1Rc240]: 'pbeWithSHA1And40BitRC2-CBC',
};

export function decrypt(algorithm: Asn1, ciphertext: Buffer, password: PasswordForms): Buffer {
  const id = oid(child(algorithm, 0, 'encryption algorithm'), 'encryption algorithm');
  if (id === Oid.pbes2)
    return decryptPbes2(child(algorithm, 1, 'PBES2 parameters'), ciphertext, password.utf8);
  return decryptPkcs12Pbe(id, child(algorithm, 1, 'PBE parameters'), ciphertext, password.bmp);
}

function decryptPbes2(params: Asn1, ciphertext: Buffer, password: Buffer): Buffer {
  const kdf = child(params, 0, 'PBES2 key derivation');
  if (oid(child(kdf, 0, 'kdf'), 'kdf') !== Oid.pbkdf2)
    throw new UnsupportedAlgorithmError('PBES2 without PBKDF2');
  const kdfParams = children(child(kdf, 1, 'PBKDF2 parameters'), 'PBKDF2 parameters');
  const salt = octets(kdfParams[0], 'PBKDF2 salt');
  const iterations = boundedIterations(
    integer(kdfParams[1], 'PBKDF2 iterations'),
    MAX_PBKDF2_ITERATIONS,
    'PBKDF2',
  );
  const prfNode = kdfParams.slice(2).find((n) => Array.isArray(n.value));
  const prfOid = prfNode ? oid(child(prfNode, 0, 'prf'), 'prf') : Oid.hmacWithSha1;
  const prf = prfDigestByOid[prfOid];
  if (!prf) throw new UnsupportedAlgorithmError(`PBKDF2 PRF ${prfOid}`);
  const scheme = child(params, 1, 'PBES2 encryption scheme');
  const cipherOid = oid(child(scheme, 0, 'cipher'), 'cipher');
  const cipher = pbes2Ciphers[cipherOid];
  if (!cipher) throw new UnsupportedAlgorithmError(`PBES2 cipher ${cipherOid}`);
  const iv = octets(child(scheme, 1, 'cipher iv'), 'cipher iv');
  const key = pbkdf2Sync(password, salt, iterations, cipher.keyLength, prf);
  return nodeDecrypt(cipher.name, key, iv, ciphertext);
}

function decryptPkcs12Pbe(id: string, params: Asn1, ciphertext: Buffer, bmpPassword: Buffer): Buffer {
  const salt = octets(child(params, 0, 'PBE salt'), 'PBE salt');
  const iterations = integer(child(params, 1, 'PBE iterations'), 'PBE iterations');
  const kdf = (which: 1 | 2, length: number): Buffer =>
    pkcs12Kdf('sha1', bmpPassword, salt, which, iterations, length);
  switch (id) {
    case Oid.pbeSha1TripleDes:
      return nodeDecrypt('des-ede3-cbc', kdf(1, 24), kdf(2, 8), ciphertext);
    case Oid.pbeSha1TwoKeyTripleDes: {
      const key = kdf(1, 16);
      return nodeDecrypt('des-ede3-cbc', Buffer.concat([key, key.subarray(0, 8)]), kdf(2, 8), ciphertext);
    }
    case Oid.pbeSha1Rc240:
      return rc2Decrypt(kdf(1, 5), 40, kdf(2, 8), ciphertext);
    case Oid.pbeSha1Rc2128:
      return rc2Decrypt(kdf(1, 16), 128, kdf(2, 8), ciphertext);
    default:
      throw new UnsupportedAlgorithmError(legacyNames[id] ?? id);
  }
}

function nodeDecrypt(cipher: string, key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  try {
    const decipher = createDecipheriv(cipher, key, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new DecryptionFailedError('decryption failed');
  }
}

// RC2 is only in OpenSSL's legacy provider, which Node does not load; node-forge has it in pure JS.
function rc2Decrypt(key: Buffer, bits: number, iv: Buffer, ciphertext: Buffer): Buffer {
  const decipher = forge.rc2.createDecryptionCipher(key.toString('binary'), bits);
  decipher.start(iv.toString('binary'));
  decipher.update(forge.util.createBuffer(ciphertext.toString('binary')));
  if (!decipher.finish()) throw new DecryptionFailedError('decryption failed');
  return Buffer.from(decipher.output.getBytes(), 'binary');
}

export const Pbes2Defaults = { iterations: 2048, prf: 'sha256', cipher: 'aes-256-cbc' } as const;

/** PBES2 / PBKDF2-HMAC-SHA256 / AES-256-CBC: what OpenSSL 3 writes and Windows 10 1709+ reads. */
export function encryptPbes2(plaintext: Buffer, password: string): { algorithm: Asn1; ciphertext: Buffer } {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(
    Buffer.from(password, 'utf8'),
    salt,
    Pbes2Defaults.iterations,
    32,
    Pbes2Defaults.prf,
  );
  const cipher = createCipheriv(Pbes2Defaults.cipher, key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const algorithm = der.seq([
    der.oid(Oid.pbes2),
    der.seq([
      der.seq([
        der.oid(Oid.pbkdf2),
        der.seq([
          der.octets(salt),
          der.int(Pbes2Defaults.iterations),
          der.seq([der.oid(Oid.hmacWithSha256), der.null()]),
        ]),
      ]),
      der.seq([der.oid(Oid.aes256Cbc), der.octets(iv)]),
    ]),
  ]);
  return { algorithm, ciphertext };
}

export { Asn1FormatError };
