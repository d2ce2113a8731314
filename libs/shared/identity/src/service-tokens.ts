import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';
import { z } from 'zod';
import type { Identity, TenantGrant } from './identity';
import { IdentityError, IdentityErrorCode } from './identity-error';

/**
 * Service-to-service credentials: each service holds its own Ed25519 key and signs short-lived JWTs
 * (`alg: EdDSA`, `kid`/`iss`/`sub` = its name, `aud` = the service called, 5 minutes). A service
 * trusts the public keys it is configured with, each with the tenants that service may act for.
 */
export interface ServiceKey {
  readonly name: string;
  readonly privateKey: KeyObject;
}

export interface TrustedService {
  readonly name: string;
  readonly publicKey: KeyObject;
  readonly tenants: TenantGrant;
}

export const SERVICE_TOKEN_TTL_SECONDS = 300;
const MAX_LIFETIME_SECONDS = 600;
const CLOCK_SKEW_SECONDS = 60;

export function generateServiceKey(name: string): ServiceKey {
  return { name, privateKey: generateKeyPairSync('ed25519').privateKey };
}

export function publicKeyOf(key: ServiceKey): KeyObject {
  return createPublicKey(key.privateKey);
}

export function serviceKeyFromPem(name: string, pem: string): ServiceKey {
  try {
    const privateKey = createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('not Ed25519');
    return { name, privateKey };
  } catch {
    throw new IdentityError(
      IdentityErrorCode.ServiceKeyInvalid,
      `the service key of ${name} is not an Ed25519 private key (PEM, PKCS#8)`,
    );
  }
}

export const TrustedServicesFile = z.object({
  services: z.array(
    z.object({
      name: z.string().min(1).max(100),
      publicKeyPem: z.string().min(1).max(10_000),
      tenants: z.union([z.literal('*'), z.array(z.string().min(1).max(200))]),
    }),
  ),
});
export type TrustedServicesFile = z.infer<typeof TrustedServicesFile>;

export function trustedServicesFrom(json: string, source: string): TrustedService[] {
  try {
    return TrustedServicesFile.parse(JSON.parse(json)).services.map((s) => {
      const publicKey = createPublicKey(s.publicKeyPem);
      if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('not Ed25519');
      return { name: s.name, publicKey, tenants: s.tenants };
    });
  } catch {
    throw new IdentityError(
      IdentityErrorCode.TrustedServicesInvalid,
      `${source} is not a trusted-services file ({"services":[{name, publicKeyPem (Ed25519), tenants}]})`,
    );
  }
}

export function trustedServicesJson(entries: { key: ServiceKey; tenants: TenantGrant }[]): string {
  const file: TrustedServicesFile = {
    services: entries.map(({ key, tenants }) => ({
      name: key.name,
      publicKeyPem: publicKeyOf(key).export({ type: 'spki', format: 'pem' }).toString(),
      tenants: tenants === '*' ? '*' : [...tenants],
    })),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** A JWT naming `key.name`, for the service `audience`, valid SERVICE_TOKEN_TTL_SECONDS. */
export function issueServiceToken(key: ServiceKey, audience: string, now: Date = new Date()): string {
  const iat = Math.floor(now.getTime() / 1000);
  const signingInput = `${b64({ alg: 'EdDSA', typ: 'JWT', kid: key.name })}.${b64({
    iss: key.name,
    sub: key.name,
    aud: audience,
    iat,
    exp: iat + SERVICE_TOKEN_TTL_SECONDS,
    jti: randomUUID(),
  })}`;
  const signature = sign(null, Buffer.from(signingInput, 'ascii'), key.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

const Header = z.object({ alg: z.literal('EdDSA'), kid: z.string() });
const Claims = z.object({
  iss: z.string(),
  sub: z.string(),
  aud: z.string(),
  iat: z.number(),
  exp: z.number(),
});

export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token) && token.length < 4096;
}

/**
 * Verifies service tokens addressed to `audience` (the verifying service's name). `trusted` is read at
 * each call, so a process may add services after the verifier is built (`easgate start`).
 */
export class ServiceTokenVerifier {
  constructor(
    private readonly audience: string,
    private readonly trusted: () => readonly TrustedService[],
  ) {}

  verify(token: string, now: Date = new Date()): Identity | undefined {
    if (!looksLikeJwt(token)) return undefined;
    const [headerPart, claimsPart, signaturePart] = token.split('.') as [string, string, string];
    const header = Header.safeParse(parseJson(headerPart));
    const claims = Claims.safeParse(parseJson(claimsPart));
    if (!header.success || !claims.success) return undefined;
    const trusted = this.trusted().find((t) => t.name === header.data.kid);
    if (!trusted || claims.data.iss !== trusted.name || claims.data.sub !== trusted.name) return undefined;
    const ok = verify(
      null,
      Buffer.from(`${headerPart}.${claimsPart}`, 'ascii'),
      trusted.publicKey,
      Buffer.from(signaturePart, 'base64url'),
    );
    if (!ok) return undefined;
    const seconds = now.getTime() / 1000;
    const { aud, iat, exp } = claims.data;
    if (aud !== this.audience) return undefined;
    if (exp <= seconds || iat > seconds + CLOCK_SKEW_SECONDS || exp - iat > MAX_LIFETIME_SECONDS)
      return undefined;
    return { kind: 'service', id: trusted.name, roles: ['service'], tenants: trusted.tenants };
  }
}

function parseJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
