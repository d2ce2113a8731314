import { constants, createPrivateKey, sign, verify, type KeyObject } from 'node:crypto';

/** A compact JWS split into its parts; nothing is verified by parsing. */
export interface ParsedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export function base64UrlEncode(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export function parseCompactJwt(token: string): ParsedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
  } catch {
    return undefined;
  }
}

export type RsaJwtAlgorithm = 'RS256' | 'PS256';

export function isRsaJwtAlgorithm(alg: unknown): alg is RsaJwtAlgorithm {
  return alg === 'RS256' || alg === 'PS256';
}

export function verifyRsaSignature(jwt: ParsedJwt, alg: RsaJwtAlgorithm, key: KeyObject): boolean {
  try {
    const options =
      alg === 'PS256'
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
        : { key, padding: constants.RSA_PKCS1_PADDING };
    return verify('sha256', Buffer.from(jwt.signingInput), options, jwt.signature);
  } catch {
    return false;
  }
}

export function signRs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject | string,
): string {
  const input = `${base64UrlEncode(JSON.stringify({ ...header, alg: 'RS256' }))}.${base64UrlEncode(JSON.stringify(payload))}`;
  const privateKey = typeof key === 'string' ? createPrivateKey(key) : key;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
