import { webcrypto } from 'node:crypto';
import { type JwtAlgorithm, JwtError, JwtErrorCode, type JwtHeader, type JwtPayload } from './jwt';

/**
 * A private key held for signing only: a WebCrypto `CryptoKey` imported with `extractable: false`
 * and the single usage `sign`, bound to one JWS algorithm. WebCrypto refuses to export it
 * (`subtle.exportKey` throws), and signatures run on libuv's thread pool, so a burst of signatures
 * neither blocks the event loop nor stays on one core.
 */
export type SigningKey = webcrypto.CryptoKey;

const { subtle } = webcrypto;

// PS256 per RFC 7518 §3.5: MGF1-SHA256, salt length = digest length (32).
const importParams = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
} as const;
const signParams = {
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  PS256: { name: 'RSA-PSS', saltLength: 32 },
} as const;

/**
 * Imports a PKCS#8 DER RSA private key as a non-extractable signing key for `algorithm`. The caller
 * still owns `pkcs8Der` and should zero it once this resolves (the key material then lives only
 * inside OpenSSL, which clears it when the key is garbage-collected).
 */
export async function importSigningKey(pkcs8Der: Uint8Array, algorithm: JwtAlgorithm): Promise<SigningKey> {
  try {
    return await subtle.importKey('pkcs8', pkcs8Der, importParams[algorithm], false, ['sign']);
  } catch {
    throw new JwtError(JwtErrorCode.NotRsaKey, 'JWTs for Entra must be signed with an RSA private key.');
  }
}

/** The JWS algorithm a signing key was imported for. */
export function algorithmOf(key: SigningKey): JwtAlgorithm {
  if (key.algorithm.name === 'RSA-PSS') return 'PS256';
  if (key.algorithm.name === 'RSASSA-PKCS1-v1_5') return 'RS256';
  throw new JwtError(JwtErrorCode.NotRsaKey, 'JWTs for Entra must be signed with an RSA key.');
}

/** Signs a compact JWS with a signing key imported for the header's algorithm. */
export async function signJwtWithKey(
  header: JwtHeader,
  payload: JwtPayload,
  key: SigningKey,
): Promise<string> {
  if (algorithmOf(key) !== header.alg) {
    throw new JwtError(
      JwtErrorCode.AlgorithmNotAllowed,
      `This key signs ${algorithmOf(key)}, not ${String(header.alg)}.`,
    );
  }
  const signingInput = `${base64UrlJson(header)}.${base64UrlJson(payload)}`;
  const signature = await subtle.sign(signParams[header.alg], key, Buffer.from(signingInput));
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
