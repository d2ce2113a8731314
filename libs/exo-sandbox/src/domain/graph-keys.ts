import { isRsaJwtAlgorithm, parseCompactJwt, verifyRsaSignature } from './compact-jwt';
import {
  type AppRegistration,
  type Directory,
  type KeyCredential,
  keyCredentialFromCertificate,
} from './directory';

export const GraphProofAudience = '00000002-0000-0000-c000-000000000000';
/** Longest proof lifetime accepted (the docs ask for exp = nbf + 10 min). */
const MaxProofLifetimeSeconds = 600;

export type GraphKeyFailure = { ok: false; status: number; code: string; message: string };
export type GraphKeyOutcome<T> = { ok: true; value: T } | GraphKeyFailure;

export interface KeyCredentialResource {
  customKeyIdentifier: string;
  displayName: string;
  endDateTime: string;
  key: null;
  keyId: string;
  startDateTime: string;
  type: 'AsymmetricX509Cert';
  usage: 'Verify';
}

export function toKeyCredentialResource(k: KeyCredential): KeyCredentialResource {
  return {
    customKeyIdentifier: k.sha1Hex,
    displayName: k.displayName,
    endDateTime: k.endDateTime.toISOString().replace(/\.000Z$/, 'Z'),
    key: null,
    keyId: k.keyId,
    startDateTime: k.startDateTime.toISOString().replace(/\.000Z$/, 'Z'),
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
  };
}

/**
 * Microsoft Graph `addKey` / `removeKey` on an application: the caller proves possession of one of
 * the app's currently valid certificates with a JWT (aud 00000002-0000-0000-c000-000000000000, iss = object id).
 * The Graph error codes/status for a bad proof are UNCONFIRMED (400 Request_BadRequest is used here).
 */
export class GraphKeyService {
  constructor(
    private readonly directory: Directory,
    private readonly nowMs: () => number,
  ) {}

  addKey(objectId: string, body: unknown): GraphKeyOutcome<KeyCredentialResource> {
    const app = this.directory.findAppByObjectId(objectId);
    if (!app) return notFound(objectId);
    const input = body as {
      keyCredential?: { type?: unknown; usage?: unknown; key?: unknown };
      proof?: unknown;
    };
    const kc = input?.keyCredential;
    if (!kc || kc.type !== 'AsymmetricX509Cert' || kc.usage !== 'Verify' || typeof kc.key !== 'string') {
      return badRequest(
        'keyCredential with type AsymmetricX509Cert, usage Verify and a base64 key is required.',
      );
    }
    const proofFailure = this.checkProof(app, input.proof);
    if (proofFailure) return proofFailure;
    let key: KeyCredential;
    try {
      key = keyCredentialFromCertificate(kc.key);
    } catch {
      return badRequest('Key credential key is not a valid X.509 certificate.');
    }
    if (app.keyCredentials.some((k) => k.sha1Hex === key.sha1Hex)) {
      return badRequest('Key credential with the same thumbprint already exists.');
    }
    app.keyCredentials.push(key);
    return { ok: true, value: toKeyCredentialResource(key) };
  }

  removeKey(objectId: string, body: unknown): GraphKeyOutcome<void> {
    const app = this.directory.findAppByObjectId(objectId);
    if (!app) return notFound(objectId);
    const input = body as { keyId?: unknown; proof?: unknown };
    if (typeof input?.keyId !== 'string') return badRequest('keyId is required.');
    const proofFailure = this.checkProof(app, input.proof);
    if (proofFailure) return proofFailure;
    if (!this.directory.removeKey(app.appId, input.keyId)) {
      return {
        ok: false,
        status: 404,
        code: 'Request_ResourceNotFound',
        message: `No key credential with keyId ${input.keyId}.`,
      };
    }
    return { ok: true, value: undefined };
  }

  private checkProof(app: AppRegistration, proof: unknown): GraphKeyFailure | undefined {
    if (typeof proof !== 'string') return badRequest('proof is required.');
    const jwt = parseCompactJwt(proof);
    if (!jwt || !isRsaJwtAlgorithm(jwt.header.alg))
      return badRequest('Proof of possession token is not a valid JWT.');
    const alg = jwt.header.alg;
    const now = this.nowMs();
    const valid = app.keyCredentials.filter(
      (k) => k.startDateTime.getTime() <= now && k.endDateTime.getTime() >= now,
    );
    if (valid.length === 0) {
      return badRequest(
        'The application has no valid certificate to prove possession with; use PATCH instead.',
      );
    }
    if (!valid.some((k) => verifyRsaSignature(jwt, alg, k.certificate.publicKey))) {
      return badRequest(
        'Proof of possession token is not signed by a valid key credential of the application.',
      );
    }
    const { aud, iss, nbf, exp } = jwt.payload;
    if (aud !== GraphProofAudience)
      return badRequest(`Proof of possession token audience must be ${GraphProofAudience}.`);
    if (typeof iss !== 'string' || iss.toLowerCase() !== app.objectId) {
      return badRequest('Proof of possession token issuer must be the application object id.');
    }
    if (typeof nbf !== 'number' || typeof exp !== 'number')
      return badRequest('Proof of possession token needs nbf and exp.');
    const nowSeconds = now / 1000;
    if (nbf > nowSeconds + 300 || exp < nowSeconds || exp - nbf > MaxProofLifetimeSeconds) {
      return badRequest('Proof of possession token is expired or not valid yet.');
    }
    return undefined;
  }
}

function badRequest(message: string): GraphKeyFailure {
  return { ok: false, status: 400, code: 'Request_BadRequest', message };
}

function notFound(objectId: string): GraphKeyFailure {
  return {
    ok: false,
    status: 404,
    code: 'Request_ResourceNotFound',
    message: `Resource '${objectId}' does not exist or one of its queried reference-property objects are not present.`,
  };
}
