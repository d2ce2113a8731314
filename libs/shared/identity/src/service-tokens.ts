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
import { type Identity, narrowGrant, type TenantGrant, type UserRole, UserRoles } from './identity';
import { IdentityError, IdentityErrorCode } from './identity-error';

/**
 * Service-to-service credentials: each service holds its own Ed25519 key and signs short-lived JWTs
 * (`alg: EdDSA`, `kid`/`iss`/`sub` = its name, `aud` = the service called, 5 minutes). A service
 * trusts the public keys it is configured with, each with the tenants that service may act for.
 *
 * A service trusted to present users (`mayActForUsers`: the console gateway) may also sign a
 * delegated token for one user (RFC 8693 style: `sub` = the user, `act.sub` = the service, plus the
 * user's `roles` and `tenants`, 60 seconds). The verifier turns it into that user, with its tenants
 * narrowed to the presenting service's grant, so the called service authorizes and audits the user.
 */
export interface ServiceKey {
  readonly name: string;
  readonly privateKey: KeyObject;
}

export interface TrustedService {
  readonly name: string;
  readonly publicKey: KeyObject;
  readonly tenants: TenantGrant;
  /** Whether its delegated tokens (a user it authenticated) are accepted. */
  readonly mayActForUsers?: boolean;
}

/** A user presented by a service in a delegated token. */
export interface DelegatedUser {
  readonly id: string;
  readonly roles: readonly UserRole[];
  readonly tenants: TenantGrant;
}

export const SERVICE_TOKEN_TTL_SECONDS = 300;
export const DELEGATED_TOKEN_TTL_SECONDS = 60;
/** Leaves room for ` via <service>` in a 200-character audit actor. */
const MAX_DELEGATED_USER_ID = 150;
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
      mayActForUsers: z.boolean().optional(),
    }),
  ),
});
export type TrustedServicesFile = z.infer<typeof TrustedServicesFile>;

export function trustedServicesFrom(json: string, source: string): TrustedService[] {
  try {
    return TrustedServicesFile.parse(JSON.parse(json)).services.map((s) => {
      const publicKey = createPublicKey(s.publicKeyPem);
      if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('not Ed25519');
      return {
        name: s.name,
        publicKey,
        tenants: s.tenants,
        ...(s.mayActForUsers === true && { mayActForUsers: true }),
      };
    });
  } catch {
    throw new IdentityError(
      IdentityErrorCode.TrustedServicesInvalid,
      `${source} is not a trusted-services file ({"services":[{name, publicKeyPem (Ed25519), tenants, mayActForUsers?}]})`,
    );
  }
}

export function trustedServicesJson(
  entries: { key: ServiceKey; tenants: TenantGrant; mayActForUsers?: boolean }[],
): string {
  const file: TrustedServicesFile = {
    services: entries.map(({ key, tenants, mayActForUsers }) => ({
      name: key.name,
      publicKeyPem: publicKeyOf(key).export({ type: 'spki', format: 'pem' }).toString(),
      tenants: tenants === '*' ? '*' : [...tenants],
      ...(mayActForUsers === true && { mayActForUsers: true }),
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

/**
 * A JWT of the service `key.name` presenting `user` to the service `audience`, valid
 * DELEGATED_TOKEN_TTL_SECONDS: the console gateway signs one per forwarded request.
 */
export function issueDelegatedToken(
  key: ServiceKey,
  audience: string,
  user: DelegatedUser,
  now: Date = new Date(),
): string {
  const iat = Math.floor(now.getTime() / 1000);
  const signingInput = `${b64({ alg: 'EdDSA', typ: 'JWT', kid: key.name })}.${b64({
    iss: key.name,
    sub: user.id,
    act: { sub: key.name },
    roles: [...user.roles],
    tenants: user.tenants === '*' ? '*' : [...user.tenants],
    aud: audience,
    iat,
    exp: iat + DELEGATED_TOKEN_TTL_SECONDS,
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
  act: z.object({ sub: z.string() }).optional(),
  roles: z.array(z.enum(UserRoles)).min(1).max(UserRoles.length).optional(),
  tenants: z.union([z.literal('*'), z.array(z.string().min(1).max(200)).max(1000)]).optional(),
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
    if (!trusted || claims.data.iss !== trusted.name) return undefined;
    const delegated = claims.data.act !== undefined;
    if (!delegated && claims.data.sub !== trusted.name) return undefined;
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
    if (delegated) return this.presentedUser(trusted, claims.data, exp - iat);
    return { kind: 'service', id: trusted.name, roles: ['service'], tenants: trusted.tenants };
  }

  /** The user a trusted service presents: never more tenants than that service holds. */
  private presentedUser(
    trusted: TrustedService,
    claims: z.infer<typeof Claims>,
    lifetime: number,
  ): Identity | undefined {
    const { sub, act, roles, tenants } = claims;
    if (!trusted.mayActForUsers || act?.sub !== trusted.name) return undefined;
    if (lifetime > DELEGATED_TOKEN_TTL_SECONDS || !roles || !tenants) return undefined;
    if (sub.trim() === '' || sub.length > MAX_DELEGATED_USER_ID || sub === trusted.name) return undefined;
    return {
      kind: 'user',
      id: sub,
      roles: [...new Set(roles)],
      tenants: narrowGrant(tenants, trusted.tenants),
      via: trusted.name,
    };
  }
}

function parseJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
