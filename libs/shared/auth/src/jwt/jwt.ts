import { constants, createPublicKey, type KeyObject, sign, verify, X509Certificate } from 'node:crypto';
import { CodedAuthError } from '../coded-error';

export type JwtAlgorithm = 'RS256' | 'PS256';

export interface JwtHeader {
  readonly alg: JwtAlgorithm;
  readonly typ?: string;
  readonly x5t?: string;
  readonly 'x5t#S256'?: string;
  readonly x5c?: string[];
  readonly [name: string]: unknown;
}

export type JwtPayload = Readonly<Record<string, unknown>>;

export enum JwtErrorCode {
  Malformed = 'JWT_MALFORMED',
  AlgorithmNotAllowed = 'JWT_ALGORITHM_NOT_ALLOWED',
  BadSignature = 'JWT_BAD_SIGNATURE',
  Expired = 'JWT_EXPIRED',
  NotYetValid = 'JWT_NOT_YET_VALID',
  AudienceMismatch = 'JWT_AUDIENCE_MISMATCH',
  IssuerMismatch = 'JWT_ISSUER_MISMATCH',
  NotRsaKey = 'JWT_NOT_RSA_KEY',
}

export class JwtError extends CodedAuthError<JwtErrorCode> {}

// PS256 per RFC 7518 §3.5: MGF1-SHA256, salt length = digest length.
const pssOptions = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };

function signingKey(alg: JwtAlgorithm, key: KeyObject) {
  return alg === 'PS256' ? { key, ...pssOptions } : { key, padding: constants.RSA_PKCS1_PADDING };
}

/** Signs a compact JWS with native crypto. The key must be an RSA private KeyObject. */
export function signJwt(header: JwtHeader, payload: JwtPayload, privateKey: KeyObject): string {
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new JwtError(JwtErrorCode.NotRsaKey, 'JWTs for Entra must be signed with an RSA key.');
  }
  const signingInput = `${base64UrlJson(header)}.${base64UrlJson(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), signingKey(header.alg, privateKey));
  return `${signingInput}.${signature.toString('base64url')}`;
}

export interface DecodedJwt {
  readonly header: JwtHeader;
  readonly payload: JwtPayload;
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** Splits and parses a JWT without verifying it. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    throw new JwtError(JwtErrorCode.Malformed, 'The token is not a compact JWS (three base64url parts).');
  }
  const [h, p, s] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as JwtHeader;
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as JwtPayload;
    if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null) {
      throw new Error('not objects');
    }
    return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
  } catch {
    throw new JwtError(JwtErrorCode.Malformed, 'The token header or payload is not JSON.');
  }
}

export interface VerifyJwtOptions {
  /** Public key, or the certificate whose key signed. */
  readonly key: KeyObject | X509Certificate;
  readonly now: Date;
  /** Default both. */
  readonly algorithms?: JwtAlgorithm[];
  readonly audience?: string | string[];
  readonly issuer?: string;
  /** Seconds allowed on nbf/exp. Default 300 (the commonly assumed Entra skew). */
  readonly clockToleranceSeconds?: number;
}

/** Verifies signature, algorithm, time window and (when given) audience and issuer. */
export function verifyJwt(token: string, options: VerifyJwtOptions): DecodedJwt {
  const decoded = decodeJwt(token);
  const alg = decoded.header.alg;
  const allowed = options.algorithms ?? ['RS256', 'PS256'];
  if (!allowed.includes(alg)) {
    throw new JwtError(JwtErrorCode.AlgorithmNotAllowed, `Algorithm ${String(alg)} is not accepted.`);
  }
  const publicKey = toPublicKey(options.key);
  const verifyKey =
    alg === 'PS256'
      ? {
          key: publicKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_AUTO,
        }
      : { key: publicKey, padding: constants.RSA_PKCS1_PADDING };
  let ok = false;
  try {
    ok = verify('sha256', Buffer.from(decoded.signingInput), verifyKey, decoded.signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new JwtError(JwtErrorCode.BadSignature, 'The signature does not verify with this key.');

  const now = Math.floor(options.now.getTime() / 1000);
  const tolerance = options.clockToleranceSeconds ?? 300;
  const { exp, nbf, aud, iss } = decoded.payload;
  if (typeof exp === 'number' && now > exp + tolerance) {
    throw new JwtError(JwtErrorCode.Expired, `The token expired at ${new Date(exp * 1000).toISOString()}.`);
  }
  if (typeof nbf === 'number' && now + tolerance < nbf) {
    throw new JwtError(
      JwtErrorCode.NotYetValid,
      `The token is not valid before ${new Date(nbf * 1000).toISOString()}.`,
    );
  }
  if (options.audience !== undefined) {
    const expected = Array.isArray(options.audience) ? options.audience : [options.audience];
    const actual = Array.isArray(aud) ? aud : [aud];
    if (!actual.some((a) => typeof a === 'string' && expected.includes(a))) {
      throw new JwtError(
        JwtErrorCode.AudienceMismatch,
        `The token audience ${JSON.stringify(aud)} is not expected.`,
      );
    }
  }
  if (options.issuer !== undefined && iss !== options.issuer) {
    throw new JwtError(
      JwtErrorCode.IssuerMismatch,
      `The token issuer ${JSON.stringify(iss)} is not expected.`,
    );
  }
  return decoded;
}

function toPublicKey(key: KeyObject | X509Certificate): KeyObject {
  if (key instanceof X509Certificate) return key.publicKey;
  return key.type === 'private' ? createPublicKey(key) : key;
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
