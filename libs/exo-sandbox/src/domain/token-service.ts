import { createHash, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { type AadstsFailure, entraPreciseTime } from './aadsts';
import { isRsaJwtAlgorithm, parseCompactJwt, signRs256, verifyRsaSignature } from './compact-jwt';
import type { AppRegistration, Directory, KeyCredential, Tenant } from './directory';

export const ExchangeResource = 'https://outlook.office365.com';
export const GraphResource = 'https://graph.microsoft.com';
export const ExchangeManageAsAppRole = 'Exchange.ManageAsApp';
const ClientAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const CertificateDocs =
  'Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .';

/** Resource identifiers accepted in `scope` (URI or first-party app id) → the token audience. */
const Resources: ReadonlyMap<string, string> = new Map([
  ['https://outlook.office365.com', ExchangeResource],
  ['https://outlook.office365.com/', ExchangeResource],
  ['00000002-0000-0ff1-ce00-000000000000', ExchangeResource],
  ['https://graph.microsoft.com', GraphResource],
  ['https://graph.microsoft.com/', GraphResource],
  ['00000003-0000-0000-c000-000000000000', GraphResource],
]);

export interface IdentityPolicy {
  tokenLifetimeSeconds: number;
  /** When set, success responses carry `refresh_in` (Entra's exact rule is UNCONFIRMED). */
  refreshInSeconds: number | undefined;
  /** Skew allowed on client assertion nbf/exp (Entra's value is UNCONFIRMED; ~5 min assumed). */
  assertionClockSkewSeconds: number;
  /** Skew allowed on access-token expiry by the resource servers. */
  accessTokenClockSkewSeconds: number;
  /** HTTP status of invalid_client failures other than AADSTS7000229 (UNCONFIRMED: 401 seen, 400 possible). */
  invalidClientStatus: 400 | 401;
  /** AADSTS700027 "key not found" wording: the 2026 form or the classic "invalid signature" form. */
  keyNotFoundWording: 'not-registered' | 'invalid-signature';
  /** Hosts accepted in the assertion `aud` besides the one actually called (Option A clients keep the real URL). */
  extraAudienceHosts: string[];
}

export const defaultIdentityPolicy: IdentityPolicy = {
  tokenLifetimeSeconds: 3599,
  refreshInSeconds: undefined,
  assertionClockSkewSeconds: 300,
  accessTokenClockSkewSeconds: 300,
  invalidClientStatus: 401,
  keyNotFoundWording: 'not-registered',
  extraAudienceHosts: ['login.microsoftonline.com'],
};

export interface TokenRequest {
  /** The `{tenant}` path segment as called. */
  tenantSegment: string;
  form: Readonly<Record<string, string>>;
  /** `https://host[:port]` the client called. */
  origin: string;
}

export interface TokenSuccess {
  ok: true;
  appId: string;
  tenantId: string;
  audience: string;
  body: {
    token_type: 'Bearer';
    expires_in: number;
    ext_expires_in: number;
    access_token: string;
    refresh_in?: number;
  };
}

export type TokenOutcome = TokenSuccess | { ok: false; failure: AadstsFailure; appId?: string };

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  appid: string;
  tid: string;
  oid: string;
  exp: number;
  roles?: string[];
  wids?: string[];
}

export type AccessTokenCheck =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; reason: 'malformed' | 'signature' | 'audience' | 'expired' | 'tenant' };

const FirstPartyTenantSegments = new Set(['common', 'organizations', 'consumers']);

/** The identity platform token endpoint and the resource-side token check. */
export class TokenService {
  private readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(
    private readonly directory: Directory,
    private readonly signingKey: KeyObject,
    private readonly policy: () => IdentityPolicy,
    private readonly nowMs: () => number,
  ) {
    this.publicKey = createPublicKey(signingKey);
    const spki = this.publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = createHash('sha1').update(spki).digest('base64url');
  }

  /** The JWKS served at `/{tenant}/discovery/v2.0/keys`. */
  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.keyId, x5t: this.keyId, n: jwk.n, e: jwk.e }] };
  }

  issue(request: TokenRequest): TokenOutcome {
    const fail = (
      status: number,
      error: string,
      code: number,
      message: string,
      appId?: string,
    ): TokenOutcome => ({
      ok: false,
      failure: { status, error, code, message },
      ...(appId ? { appId } : {}),
    });
    const invalidClient = (code: number, message: string, appId?: string) =>
      fail(this.policy().invalidClientStatus, 'invalid_client', code, message, appId);
    const { form } = request;

    if (FirstPartyTenantSegments.has(request.tenantSegment.toLowerCase())) {
      return fail(
        400,
        'invalid_request',
        9001023,
        "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
      );
    }
    const tenant = this.directory.resolveTenant(request.tenantSegment);
    if (!tenant) {
      return fail(
        400,
        'invalid_tenant',
        90002,
        `Tenant '${request.tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
    }
    if (form.grant_type === undefined) return missingParameter('grant_type');
    if (form.grant_type !== 'client_credentials') {
      return fail(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${form.grant_type}'.`,
      );
    }
    const clientId = form.client_id?.toLowerCase();
    if (!clientId) return missingParameter('client_id');
    if (form.scope === undefined) return missingParameter('scope');
    const audience = this.resolveScope(form.scope);
    if (audience === null) {
      return fail(
        400,
        'invalid_scope',
        70011,
        `The provided value for the input parameter 'scope' is not valid. The scope ${form.scope} is not valid.`,
      );
    }
    if (audience === undefined) {
      return fail(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${form.scope.replace(/\/\.default$/, '')} was not found in the tenant named ${tenant.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    const app = this.directory.findApp(clientId);
    if (!app) {
      return fail(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    if (!this.directory.servicePrincipalOf(clientId)) {
      return fail(
        401,
        'invalid_client',
        7000229,
        `The client application ${clientId} is missing service principal in the tenant ${tenant.tenantId}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
        clientId,
      );
    }
    if (form.client_secret !== undefined) {
      return invalidClient(
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
        clientId,
      );
    }
    if (form.client_assertion === undefined) {
      return invalidClient(
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        clientId,
      );
    }
    if (form.client_assertion_type !== ClientAssertionType) {
      return fail(
        400,
        'invalid_request',
        90014,
        "The required field 'client_assertion_type' is missing from the credential. Ensure that you have all the necessary parameters for the login request.",
        clientId,
      );
    }
    const assertionFailure = this.checkAssertion(form.client_assertion, app, tenant, request);
    if (assertionFailure) return { ok: false, failure: assertionFailure, appId: clientId };
    return this.mint(app, tenant, audience);

    function missingParameter(name: string): TokenOutcome {
      return fail(
        400,
        'invalid_request',
        900144,
        `The request body must contain the following parameter: '${name}'.`,
      );
    }
  }

  /** The audience for a valid scope, `null` for a malformed one, undefined for an unknown resource. */
  private resolveScope(scope: string): string | null | undefined {
    const scopes = scope.trim().split(/\s+/);
    if (scopes.length !== 1 || !scopes[0].endsWith('/.default')) return null;
    return Resources.get(scopes[0].slice(0, -'/.default'.length).toLowerCase());
  }

  private checkAssertion(
    assertion: string,
    app: AppRegistration,
    tenant: Tenant,
    request: TokenRequest,
  ): AadstsFailure | undefined {
    const policy = this.policy();
    const invalid = (code: number, message: string): AadstsFailure => ({
      status: policy.invalidClientStatus,
      error: 'invalid_client',
      code,
      message,
    });
    const jwt = parseCompactJwt(assertion);
    if (!jwt) return invalid(50027, 'Invalid JWT token. Token format not valid.');
    const alg = jwt.header.alg;
    if (!isRsaJwtAlgorithm(alg)) {
      return invalid(
        5002738,
        `Invalid JWT token. '${String(alg)}' is not a supported signature algorithm. Supported signing algorithms are: 'RS256,PS256'`,
      );
    }
    const sha1Hex = thumbprintHex(jwt.header.x5t);
    const sha256Hex = thumbprintHex(jwt.header['x5t#S256']);
    if (!sha1Hex && !sha256Hex) {
      return invalid(50027, 'Invalid JWT token. No certificate thumbprint specified in token header.');
    }
    const shownThumbprint = sha1Hex ?? sha256Hex ?? '';
    const key = this.directory.findKeyByThumbprint(app, { sha1Hex, sha256Hex });
    if (!key) {
      const detail = `[Reason - The key was not found., Thumbprint of key used by client: '${shownThumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.appId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${app.objectId}']`;
      return invalid(
        700027,
        policy.keyNotFoundWording === 'not-registered'
          ? `The certificate with identifier used to sign the client assertion is not registered on application. ${detail}`
          : `Client assertion contains an invalid signature. ${detail}`,
      );
    }
    const now = this.nowMs();
    const foundKey = `Found key 'Start=${usDate(key.startDateTime)}, End=${usDate(key.endDateTime)}'`;
    if (key.endDateTime.getTime() < now || key.startDateTime.getTime() > now) {
      return invalid(
        700027,
        `Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '${shownThumbprint}', ${foundKey}]`,
      );
    }
    if (!verifyRsaSignature(jwt, alg, keyOf(key))) {
      return invalid(
        700027,
        `Client assertion contains an invalid signature. [Reason - Key was found, but use of the key to verify the signature failed., Thumbprint of key used by client: '${shownThumbprint}', ${foundKey}]`,
      );
    }
    const { iss, sub, aud, nbf, exp } = jwt.payload;
    if (
      typeof iss !== 'string' ||
      iss.toLowerCase() !== app.appId ||
      typeof sub !== 'string' ||
      sub.toLowerCase() !== app.appId
    ) {
      return invalid(
        700021,
        `Client assertion application identifier doesn't match 'client_id' parameter. ${CertificateDocs}`,
      );
    }
    if (!this.audienceAccepted(aud, tenant, request)) {
      return invalid(
        700023,
        `Client assertion audience claim does not match Realm issuer. ${CertificateDocs}`,
      );
    }
    const skewMs = policy.assertionClockSkewSeconds * 1000;
    const nbfMs = typeof nbf === 'number' ? nbf * 1000 : 0;
    const expMs = typeof exp === 'number' ? exp * 1000 : 0;
    if (now + skewMs < nbfMs || now - skewMs > expMs) {
      return invalid(
        700024,
        `Client assertion is not within its valid time range. Current time: ${entraPreciseTime(now)}, assertion valid from ${entraPreciseTime(nbfMs)}, expiry time of assertion ${entraPreciseTime(expMs)}. ${CertificateDocs}`,
      );
    }
    return undefined;
  }

  private audienceAccepted(aud: unknown, tenant: Tenant, request: TokenRequest): boolean {
    if (typeof aud !== 'string') return false;
    const policy = this.policy();
    const origins = [request.origin, ...policy.extraAudienceHosts.map((h) => `https://${h}`)];
    const segments = [tenant.tenantId, tenant.organization];
    return origins.some((o) =>
      segments.some((s) => aud.toLowerCase() === `${o}/${s}/oauth2/v2.0/token`.toLowerCase()),
    );
  }

  private mint(app: AppRegistration, tenant: Tenant, audience: string): TokenSuccess {
    const policy = this.policy();
    const sp = this.directory.requireServicePrincipal(app.appId);
    const iat = Math.floor(this.nowMs() / 1000);
    const lifetime = policy.tokenLifetimeSeconds;
    const issuer = `https://sts.windows.net/${tenant.tenantId}/`;
    const claims: Record<string, unknown> = {
      aud: audience,
      iss: issuer,
      iat,
      nbf: iat,
      exp: iat + lifetime,
      app_displayname: app.displayName,
      appid: app.appId,
      appidacr: '2',
      idp: issuer,
      idtyp: 'app',
      oid: sp.objectId,
      sub: sp.objectId,
      tid: tenant.tenantId,
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
      ver: '1.0',
    };
    if (audience === ExchangeResource && sp.consentGranted) claims.roles = [ExchangeManageAsAppRole];
    if (sp.roleTemplateIds.size > 0) claims.wids = [...sp.roleTemplateIds];
    const accessToken = signRs256({ typ: 'JWT', x5t: this.keyId, kid: this.keyId }, claims, this.signingKey);
    return {
      ok: true,
      appId: app.appId,
      tenantId: tenant.tenantId,
      audience,
      body: {
        token_type: 'Bearer',
        expires_in: lifetime,
        ext_expires_in: lifetime,
        access_token: accessToken,
        ...(policy.refreshInSeconds !== undefined ? { refresh_in: policy.refreshInSeconds } : {}),
      },
    };
  }

  /** The check a resource server (EXO, Graph) makes on a bearer token. */
  verifyAccessToken(token: string, audience: string, tenantId: string): AccessTokenCheck {
    const jwt = parseCompactJwt(token);
    if (!jwt || jwt.header.alg !== 'RS256') return { ok: false, reason: 'malformed' };
    if (!verifyRsaSignature(jwt, 'RS256', this.publicKey)) return { ok: false, reason: 'signature' };
    const claims = jwt.payload as unknown as AccessTokenClaims;
    if (claims.aud !== audience) return { ok: false, reason: 'audience' };
    const skew = this.policy().accessTokenClockSkewSeconds;
    if (typeof claims.exp !== 'number' || claims.exp + skew < this.nowMs() / 1000) {
      return { ok: false, reason: 'expired' };
    }
    if (claims.tid !== tenantId) return { ok: false, reason: 'tenant' };
    return { ok: true, claims };
  }
}

function thumbprintHex(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return Buffer.from(value, 'base64url').toString('hex').toUpperCase();
}

const keyCache = new WeakMap<KeyCredential, KeyObject>();
function keyOf(key: KeyCredential): KeyObject {
  let k = keyCache.get(key);
  if (!k) {
    k = key.certificate.publicKey;
    keyCache.set(key, k);
  }
  return k;
}

/** "MM/DD/YYYY HH:MM:SS" (UTC) as in Entra's "Found key 'Start=…'" text. */
function usDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
