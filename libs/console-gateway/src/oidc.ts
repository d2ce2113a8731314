import { readFileSync } from 'node:fs';
import type { Identity, TenantGrant, UserRole } from '@easgate/identity';
import { peerDispatcher, readCaFile, refusedPeerCertificate } from '@easgate/tls';
import { fetch as undiciFetch } from 'undici';
import { z } from 'zod';

/**
 * Single sign-on with an OpenID Connect provider (Entra ID first) through `openid-client`: the
 * authorization code flow with PKCE (S256), state and nonce, the ID token checked for its issuer,
 * audience, nonce and times, over HTTPS only. The provider's `roles` claim carries `easgate.admin`,
 * `easgate.operator` or `easgate.auditor` (Entra app roles); a user without one is refused. The roles
 * are read from the ID token, or from the userinfo endpoint when the ID token has no `roles` (providers
 * that keep profile claims out of ID tokens, OIDC Core 5.4). The tenants the SSO users act for are
 * configured (CONSOLE_OIDC_TENANTS).
 */
export const OidcEnv = z.object({
  CONSOLE_OIDC_ISSUER: z.url({ protocol: /^https$/ }),
  CONSOLE_OIDC_CLIENT_ID: z.string().min(1),
  CONSOLE_OIDC_CLIENT_SECRET_FILE: z.string().min(1).optional(),
  CONSOLE_OIDC_REDIRECT_URL: z.url({ protocol: /^https?$/ }),
  CONSOLE_OIDC_TENANTS: z.string().min(1).default('*'),
  CONSOLE_OIDC_SCOPE: z
    .string()
    .regex(/(^|\s)openid(\s|$)/)
    .default('openid profile email'),
  CONSOLE_OIDC_CA_FILE: z.string().min(1).optional(),
});

export interface OidcSettings {
  readonly issuer: URL;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly redirectUrl: string;
  readonly tenants: TenantGrant;
  /** Space-separated; always with `openid` (default `openid profile email`). */
  readonly scope?: string;
  /** PEM: the CA of a provider whose certificate no system CA issued (CONSOLE_OIDC_CA_FILE). */
  readonly caPem?: string;
}

/**
 * The OIDC settings when CONSOLE_OIDC_ISSUER is set; a bad setting throws naming each bad key, never a
 * value. The issuer must be https: the ID token comes straight from the provider's token endpoint, and
 * TLS is what proves who sent it (OIDC Core 3.1.3.7).
 */
export function oidcSettingsFrom(env: NodeJS.ProcessEnv): OidcSettings | undefined {
  if (!env['CONSOLE_OIDC_ISSUER']) return undefined;
  const parsed = OidcEnv.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `invalid OIDC configuration: ${[...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ')}` +
        ' (the issuer is an https URL; the scope includes openid)',
    );
  const data = parsed.data;
  const tenants = data.CONSOLE_OIDC_TENANTS;
  return {
    issuer: new URL(data.CONSOLE_OIDC_ISSUER),
    clientId: data.CONSOLE_OIDC_CLIENT_ID,
    ...(data.CONSOLE_OIDC_CLIENT_SECRET_FILE && {
      clientSecret: readSetting('CONSOLE_OIDC_CLIENT_SECRET_FILE', data.CONSOLE_OIDC_CLIENT_SECRET_FILE),
    }),
    redirectUrl: data.CONSOLE_OIDC_REDIRECT_URL,
    tenants:
      tenants === '*'
        ? '*'
        : tenants
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
    scope: data.CONSOLE_OIDC_SCOPE,
    ...(data.CONSOLE_OIDC_CA_FILE && {
      caPem: readCaFile(data.CONSOLE_OIDC_CA_FILE, 'CONSOLE_OIDC_CA_FILE'),
    }),
  };
}

function readSetting(key: string, file: string): string {
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (value !== '') return value;
  } catch (err) {
    throw new Error(
      `invalid OIDC configuration: ${key}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  throw new Error(`invalid OIDC configuration: ${key}: ${file} is empty`);
}

const ROLE_CLAIMS: Record<string, UserRole> = {
  'easgate.admin': 'admin',
  'easgate.operator': 'operator',
  'easgate.auditor': 'auditor',
};

/** The identity (a `user` of `@easgate/identity`) of an OIDC user from its claims; undefined without an easgate role. */
export function identityFromClaims(
  claims: Record<string, unknown>,
  tenants: TenantGrant,
): Identity | undefined {
  const raw = claims['roles'];
  const roles = [
    ...new Set(
      (Array.isArray(raw) ? raw : [])
        .map((r) => (typeof r === 'string' ? ROLE_CLAIMS[r] : undefined))
        .filter((r): r is UserRole => r !== undefined),
    ),
  ];
  const name = [claims['preferred_username'], claims['email'], claims['sub']].find(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  if (roles.length === 0 || !name) return undefined;
  return { kind: 'user', id: name, roles, tenants };
}

/** Why a single sign-on did not give a session. */
export const OidcErrorCode = {
  /** No sign-in started here matches the callback (no cookie, expired, already used, another gateway). */
  LoginUnknown: 'OIDC_LOGIN_UNKNOWN',
  /** The provider answered the authorization request with an error (the user declined, no access…). */
  ProviderRefused: 'OIDC_PROVIDER_REFUSED',
  /** The callback or the tokens failed a check: state, issuer, audience, nonce, PKCE, times. */
  ResponseInvalid: 'OIDC_RESPONSE_INVALID',
  /** The user signed in at the provider but holds no easgate role there. */
  NoRole: 'OIDC_NO_EASGATE_ROLE',
  /** The provider cannot be reached or used (network, TLS, its discovery document). */
  ProviderUnavailable: 'OIDC_PROVIDER_UNAVAILABLE',
} as const;
export type OidcErrorCode = (typeof OidcErrorCode)[keyof typeof OidcErrorCode];

export class OidcSignInError extends Error {
  constructor(
    readonly code: OidcErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** The HTTP status the gateway answers with. */
  get status(): number {
    switch (this.code) {
      case OidcErrorCode.LoginUnknown:
        return 400;
      case OidcErrorCode.ResponseInvalid:
        return 401;
      case OidcErrorCode.ProviderRefused:
      case OidcErrorCode.NoRole:
        return 403;
      case OidcErrorCode.ProviderUnavailable:
        return 502;
    }
  }
}

interface PendingLogin {
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
  readonly expiresAt: number;
}

type OpenIdClient = typeof import('openid-client');
type Configuration = import('openid-client').Configuration;

const LOGIN_TTL_MS = 10 * 60_000;
/** Sign-ins started and not finished that are kept at most (the oldest is forgotten first). */
const MAX_PENDING_LOGINS = 10_000;
const PROVIDER_TIMEOUT_S = 15;

const ISSUER_MISMATCH =
  'the discovery document names another issuer than CONSOLE_OIDC_ISSUER: set the exact issuer ' +
  '(Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0, not /common or /organizations)';

/** What a failed claim or attribute check of openid-client means, by the name it checked. */
const CHECKS: Record<string, string> = {
  state: 'the callback is not for this sign-in (state)',
  iss: 'the answer is from another issuer than CONSOLE_OIDC_ISSUER',
  aud: 'the ID token was issued to another client (audience)',
  azp: 'the ID token was issued to another client (authorized party)',
  nonce: 'the ID token was issued for another sign-in (nonce)',
  sub: 'the userinfo answer is about another user than the ID token (sub)',
};

export class OidcSignIn {
  private config?: Promise<Configuration>;
  private client?: OpenIdClient;
  private readonly pending = new Map<string, PendingLogin>();
  /** Trusts the system CAs plus CONSOLE_OIDC_CA_FILE's; Node's own fetch when there is none. */
  private readonly dispatcher?: ReturnType<typeof peerDispatcher>;

  constructor(
    private readonly settings: OidcSettings,
    private readonly now: () => number = Date.now,
  ) {
    if (settings.caPem !== undefined) this.dispatcher = peerDispatcher(settings.caPem);
  }

  /**
   * openid-client (an ES module, loaded on first use) and the provider's discovered configuration. A
   * failed discovery is not kept: the next sign-in tries again (a provider down at start, then up).
   */
  private async configuration(): Promise<{ client: OpenIdClient; config: Configuration }> {
    this.client ??= await import('openid-client');
    const client = this.client;
    const dispatcher = this.dispatcher;
    this.config ??= client
      .discovery(this.settings.issuer, this.settings.clientId, this.settings.clientSecret, undefined, {
        timeout: PROVIDER_TIMEOUT_S,
        ...(dispatcher && {
          // Node's fetch and undici's differ only in their type declarations; openid-client takes either.
          [client.customFetch]: ((url: string, options: import('openid-client').CustomFetchOptions) =>
            undiciFetch(url, { ...options, dispatcher })) as unknown as import('openid-client').CustomFetch,
        }),
      })
      .then((config) => {
        // openid-client lets Entra ID's multi-tenant issuers (/common, /organizations) through and then
        // takes any tenant's ID tokens: the gateway wants the one issuer it was given, exactly.
        if (new URL(config.serverMetadata().issuer).href !== this.settings.issuer.href)
          throw new OidcSignInError(OidcErrorCode.ProviderUnavailable, ISSUER_MISMATCH);
        return config;
      })
      .catch((err: unknown) => {
        this.config = undefined;
        throw err;
      });
    return { client, config: await this.config };
  }

  /** The provider's authorization URL; `loginId` goes into a short-lived cookie. */
  async start(): Promise<{ url: string; loginId: string }> {
    const { client, config } = await this.configuration().catch((err: unknown) => {
      throw this.refusal(err);
    });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const loginId = client.randomState();
    this.remember(loginId, { verifier, state, nonce, expiresAt: this.now() + LOGIN_TTL_MS });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUrl,
      scope: this.settings.scope ?? 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, loginId };
  }

  /**
   * Exchanges the code of the callback URL and maps the user. Throws an OidcSignInError saying why
   * when the sign-in is unknown or expired, the provider refused it, a check failed, or the user has
   * no easgate role. A login is used once, whatever the outcome.
   */
  async finish(loginId: string | undefined, callbackUrl: URL): Promise<Identity> {
    const login = loginId ? this.pending.get(loginId) : undefined;
    if (loginId) this.pending.delete(loginId);
    if (!login || login.expiresAt < this.now())
      throw new OidcSignInError(
        OidcErrorCode.LoginUnknown,
        'this sign-in was not started here, has expired or was already used: sign in again',
      );
    try {
      const { client, config } = await this.configuration();
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims()!;
      let claims: Record<string, unknown> = idToken;
      if (idToken['roles'] === undefined && config.serverMetadata().userinfo_endpoint) {
        const userinfo = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
        claims = { ...userinfo, ...idToken };
      }
      const identity = identityFromClaims(claims, this.settings.tenants);
      if (!identity)
        throw new OidcSignInError(
          OidcErrorCode.NoRole,
          'signed in at the provider, but no easgate role is assigned to this user there ' +
            '(roles easgate.admin, easgate.operator or easgate.auditor)',
        );
      return identity;
    } catch (err) {
      throw this.refusal(err);
    }
  }

  private remember(loginId: string, login: PendingLogin): void {
    const now = this.now();
    for (const [id, pending] of this.pending) if (pending.expiresAt < now) this.pending.delete(id);
    while (this.pending.size >= MAX_PENDING_LOGINS) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(loginId, login);
  }

  /** openid-client's error as the coded refusal the user sees (no token or secret in the message). */
  private refusal(err: unknown): OidcSignInError {
    if (err instanceof OidcSignInError) return err;
    const client = this.client;
    if (client && err instanceof client.AuthorizationResponseError)
      return new OidcSignInError(
        OidcErrorCode.ProviderRefused,
        `the provider refused the sign-in (${err.error})`,
      );
    if (client && err instanceof client.ResponseBodyError) {
      if (err.status >= 500)
        return new OidcSignInError(
          OidcErrorCode.ProviderUnavailable,
          `the provider failed (${err.status} ${err.error})`,
        );
      const why =
        err.error === 'invalid_grant'
          ? 'expired, already used, or not issued to this sign-in (PKCE)'
          : err.error === 'invalid_client'
            ? 'check CONSOLE_OIDC_CLIENT_ID and the client secret'
            : 'see the provider';
      return new OidcSignInError(
        OidcErrorCode.ResponseInvalid,
        `the provider refused the authorization code (${err.error}: ${why})`,
      );
    }
    if (client && err instanceof client.ClientError) {
      const inner = err.cause as
        { message?: string; attribute?: string; cause?: { claim?: string; attribute?: string } } | undefined;
      // Claims of the ID token name themselves in the cause; the callback's parameters only in the message.
      const checked =
        inner?.cause?.claim ??
        inner?.cause?.attribute ??
        inner?.attribute ??
        /"(state|iss)"/.exec(inner?.message ?? '')?.[1];
      if (checked === 'issuer')
        return new OidcSignInError(OidcErrorCode.ProviderUnavailable, ISSUER_MISMATCH);
      if (checked !== undefined && CHECKS[checked])
        return new OidcSignInError(
          OidcErrorCode.ResponseInvalid,
          `single sign-on refused: ${CHECKS[checked]}`,
        );
      if (err.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED')
        return new OidcSignInError(
          OidcErrorCode.ResponseInvalid,
          'single sign-on refused: the ID token is expired or not yet valid (check the clocks)',
        );
      if (err.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || err.code === 'OAUTH_RESPONSE_IS_NOT_JSON')
        return new OidcSignInError(
          OidcErrorCode.ProviderUnavailable,
          `the provider's answer is not what OpenID Connect expects (${err.message}): check CONSOLE_OIDC_ISSUER`,
        );
      return new OidcSignInError(
        OidcErrorCode.ResponseInvalid,
        `single sign-on refused: ${inner?.message ?? err.message}`,
      );
    }
    const issuer = this.settings.issuer.href;
    if (refusedPeerCertificate(err, issuer))
      return new OidcSignInError(
        OidcErrorCode.ProviderUnavailable,
        `the certificate of ${this.settings.issuer.host} is not trusted: set CONSOLE_OIDC_CA_FILE to the CA that issued it`,
      );
    return new OidcSignInError(
      OidcErrorCode.ProviderUnavailable,
      `the provider at ${this.settings.issuer.host} did not answer (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}
