import { readFileSync } from 'node:fs';
import type { Identity, TenantGrant, UserRole } from '@easgate/identity';
import { z } from 'zod';

/**
 * Single sign-on with an OpenID Connect provider (Entra ID first) through `openid-client`: the
 * authorization code flow with PKCE, state and nonce. The provider's `roles` claim carries
 * `easgate.admin`, `easgate.operator` or `easgate.auditor` (Entra app roles); a user without one
 * is refused. The tenants the SSO users act for are configured (CONSOLE_OIDC_TENANTS).
 */
export const OidcEnv = z.object({
  CONSOLE_OIDC_ISSUER: z.url(),
  CONSOLE_OIDC_CLIENT_ID: z.string().min(1),
  CONSOLE_OIDC_CLIENT_SECRET_FILE: z.string().min(1).optional(),
  CONSOLE_OIDC_REDIRECT_URL: z.url(),
  CONSOLE_OIDC_TENANTS: z.string().min(1).default('*'),
});

export interface OidcSettings {
  readonly issuer: URL;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly redirectUrl: string;
  readonly tenants: TenantGrant;
}

/** The OIDC settings when CONSOLE_OIDC_ISSUER is set; a bad setting throws naming each bad key. */
export function oidcSettingsFrom(env: NodeJS.ProcessEnv): OidcSettings | undefined {
  if (!env['CONSOLE_OIDC_ISSUER']) return undefined;
  const parsed = OidcEnv.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `invalid OIDC configuration: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  const { CONSOLE_OIDC_TENANTS: tenants } = parsed.data;
  return {
    issuer: new URL(parsed.data.CONSOLE_OIDC_ISSUER),
    clientId: parsed.data.CONSOLE_OIDC_CLIENT_ID,
    ...(parsed.data.CONSOLE_OIDC_CLIENT_SECRET_FILE && {
      clientSecret: readFileSync(parsed.data.CONSOLE_OIDC_CLIENT_SECRET_FILE, 'utf8').trim(),
    }),
    redirectUrl: parsed.data.CONSOLE_OIDC_REDIRECT_URL,
    tenants:
      tenants === '*'
        ? '*'
        : tenants
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
  };
}

const ROLE_CLAIMS: Record<string, UserRole> = {
  'easgate.admin': 'admin',
  'easgate.operator': 'operator',
  'easgate.auditor': 'auditor',
};

/** The identity (a `user` of `@easgate/identity`) of an OIDC user from its ID token claims; undefined without an easgate role. */
export function identityFromClaims(
  claims: Record<string, unknown>,
  tenants: TenantGrant,
): Identity | undefined {
  const raw = claims['roles'];
  const roles = (Array.isArray(raw) ? raw : [])
    .map((r) => (typeof r === 'string' ? ROLE_CLAIMS[r] : undefined))
    .filter((r): r is UserRole => r !== undefined);
  const name = [claims['preferred_username'], claims['email'], claims['sub']].find(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  if (roles.length === 0 || !name) return undefined;
  return { kind: 'user', id: name, roles, tenants };
}

interface PendingLogin {
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
  readonly expiresAt: number;
}

type OpenIdClient = typeof import('openid-client');

export class OidcSignIn {
  private config?: Promise<import('openid-client').Configuration>;
  private client?: OpenIdClient;
  private readonly pending = new Map<string, PendingLogin>();

  constructor(private readonly settings: OidcSettings) {}

  private async configuration() {
    this.client ??= await import('openid-client');
    const client = this.client;
    this.config ??= client.discovery(
      this.settings.issuer,
      this.settings.clientId,
      this.settings.clientSecret,
    );
    return { client, config: await this.config };
  }

  /** The provider's authorization URL; `loginId` goes into a short-lived cookie. */
  async start(): Promise<{ url: string; loginId: string }> {
    const { client, config } = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const loginId = client.randomState();
    this.pending.set(loginId, { verifier, state, nonce, expiresAt: Date.now() + 10 * 60_000 });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUrl,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, loginId };
  }

  /** Exchanges the code of the callback URL; undefined when the login is unknown, expired or refused. */
  async finish(loginId: string | undefined, callbackUrl: URL): Promise<Identity | undefined> {
    const login = loginId ? this.pending.get(loginId) : undefined;
    if (!loginId || !login || login.expiresAt < Date.now()) return undefined;
    this.pending.delete(loginId);
    const { client, config } = await this.configuration();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: login.verifier,
      expectedState: login.state,
      expectedNonce: login.nonce,
    });
    const claims = tokens.claims();
    return claims ? identityFromClaims(claims, this.settings.tenants) : undefined;
  }
}
