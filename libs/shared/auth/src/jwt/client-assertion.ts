import { type KeyObject, randomUUID, type X509Certificate } from 'node:crypto';
import { thumbprints } from '../certificate/thumbprints';
import { type JwtAlgorithm, type JwtHeader, type JwtPayload, signJwt } from './jwt';
import { algorithmOf, type SigningKey, signJwtWithKey } from './signing-key';

/** Which certificate thumbprint header(s) to send. RS256 + x5t is the most widely accepted (reference §1.2). */
export type AssertionThumbprint = 'sha1' | 'sha256' | 'both';

export interface ClientAssertionInput {
  /** Application (client) id: becomes iss and sub. */
  readonly clientId: string;
  /** The token endpoint URL actually called: becomes aud. */
  readonly tokenEndpoint: string;
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject;
  readonly now: Date;
  /** Default RS256 with x5t; PS256 defaults to x5t#S256 (what msal-node sends with thumbprintSha256). */
  readonly algorithm?: JwtAlgorithm;
  readonly thumbprint?: AssertionThumbprint;
  /** Default and maximum 600 (Entra doc: 5–10 minutes). */
  readonly lifetimeSeconds?: number;
  /** Adds x5c (base64 DER chain, leaf first): only meaningful for subject-name/issuer auth. */
  readonly x5c?: X509Certificate[];
  readonly jti?: string;
}

export const MAX_ASSERTION_LIFETIME_SECONDS = 600;

export interface SignedAssertion {
  readonly assertion: string;
  readonly jti: string;
  readonly expiresAt: Date;
}

/** The client_assertion JWT for the Microsoft identity platform token endpoint (reference §1.2). */
export function buildClientAssertion(input: ClientAssertionInput): SignedAssertion {
  const parts = assertionParts(input, input.algorithm ?? 'RS256');
  return { assertion: signJwt(parts.header, parts.payload, input.privateKey), ...parts.facts };
}

export interface KeyedClientAssertionInput extends Omit<ClientAssertionInput, 'privateKey' | 'algorithm'> {
  /** A non-extractable signing key; its algorithm (RS256 or PS256) is the assertion's. */
  readonly signingKey: SigningKey;
}

/**
 * The same assertion as {@link buildClientAssertion}, signed with a non-extractable WebCrypto key on
 * the thread pool (the vault's path: keys kept imported for a while, signatures off the event loop).
 */
export async function signClientAssertion(input: KeyedClientAssertionInput): Promise<SignedAssertion> {
  const parts = assertionParts(input, algorithmOf(input.signingKey));
  return { assertion: await signJwtWithKey(parts.header, parts.payload, input.signingKey), ...parts.facts };
}

function assertionParts(
  input: Omit<ClientAssertionInput, 'privateKey' | 'algorithm'>,
  alg: JwtAlgorithm,
): { header: JwtHeader; payload: JwtPayload; facts: Omit<SignedAssertion, 'assertion'> } {
  const lifetime = input.lifetimeSeconds ?? MAX_ASSERTION_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > MAX_ASSERTION_LIFETIME_SECONDS) {
    throw new RangeError(`assertion lifetime must be 1..${MAX_ASSERTION_LIFETIME_SECONDS} seconds`);
  }
  const which = input.thumbprint ?? (alg === 'PS256' ? 'sha256' : 'sha1');
  const prints = thumbprints(input.certificate);
  const header: JwtHeader = {
    alg,
    typ: 'JWT',
    ...(which !== 'sha256' ? { x5t: prints.x5t } : {}),
    ...(which !== 'sha1' ? { 'x5t#S256': prints.x5tS256 } : {}),
    ...(input.x5c ? { x5c: input.x5c.map((c) => c.raw.toString('base64')) } : {}),
  };
  const iat = Math.floor(input.now.getTime() / 1000);
  const jti = input.jti ?? randomUUID();
  const payload = {
    aud: input.tokenEndpoint,
    iss: input.clientId,
    sub: input.clientId,
    jti,
    nbf: iat,
    iat,
    exp: iat + lifetime,
  };
  return { header, payload, facts: { jti, expiresAt: new Date((iat + lifetime) * 1000) } };
}

/** Microsoft Graph's fixed audience for addKey/removeKey proofs (the AAD Graph resource id). */
export const GRAPH_PROOF_AUDIENCE = '00000002-0000-0000-c000-000000000000';

export interface GraphProofInput {
  /** The application *object* id (not the client id). */
  readonly applicationObjectId: string;
  /** A currently valid certificate already registered on the app, and its key. */
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject;
  readonly now: Date;
  readonly audience?: string;
}

/** The `proof` JWT for Graph `addKey`/`removeKey` (reference §6): exp = nbf + 10 minutes. */
export function buildGraphProofOfPossession(input: GraphProofInput): string {
  const nbf = Math.floor(input.now.getTime() / 1000);
  return signJwt(
    { alg: 'RS256', typ: 'JWT', x5t: thumbprints(input.certificate).x5t },
    { aud: input.audience ?? GRAPH_PROOF_AUDIENCE, iss: input.applicationObjectId, nbf, exp: nbf + 600 },
    input.privateKey,
  );
}
