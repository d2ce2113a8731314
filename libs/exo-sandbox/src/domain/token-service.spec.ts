import { generateKeyPairSync } from 'node:crypto';
import {
  buildClientAssertion,
  buildSelfSignedCertificate,
  type TestCertificate,
} from '../testing/client-assertion';
import { DirectoryRoles, Directory } from './directory';
import { parseCompactJwt } from './compact-jwt';
import { TokenService, defaultIdentityPolicy, type IdentityPolicy, type TokenOutcome } from './token-service';

const tenantId = '0a1b2c3d-0000-4000-8000-000000000001';
const organization = 'contoso.onmicrosoft.com';
const origin = 'https://127.0.0.1:8443';
const tokenUrl = `${origin}/${tenantId}/oauth2/v2.0/token`;
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const cert = buildSelfSignedCertificate();

function buildSut(
  options: {
    policy?: Partial<IdentityPolicy>;
    consent?: boolean;
    servicePrincipal?: boolean;
    certs?: TestCertificate[];
  } = {},
) {
  const directory = new Directory({ tenantId, organization, displayName: 'Contoso' });
  const app = directory.registerApp({
    certificates: (options.certs ?? [cert]).map((c) => c.certPem),
    consentGranted: options.consent ?? true,
    servicePrincipal: options.servicePrincipal ?? true,
    roles: ['Exchange Administrator'],
  });
  const sut = new TokenService(
    directory,
    signingKey,
    () => ({ ...defaultIdentityPolicy, ...options.policy }),
    () => Date.now(),
  );
  return { sut, app, directory };
}

function form(appId: string, assertion: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: appId,
    scope: 'https://outlook.office365.com/.default',
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    'x-client-SKU': 'msal.js.node',
    ...extra,
  };
}

function failureOf(outcome: TokenOutcome) {
  if (outcome.ok) throw new Error('expected a failure');
  return outcome.failure;
}

describe(TokenService.name, () => {
  it('issues an Exchange token with the ManageAsApp role and the directory roles when consent was granted', () => {
    const { sut, app } = buildSut();
    const outcome = sut.issue({
      tenantSegment: tenantId,
      origin,
      form: form(app.appId, buildClientAssertion(cert, { clientId: app.appId, audience: tokenUrl })),
    });
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    const claims = parseCompactJwt(outcome.body.access_token)!.payload;
    expect(claims).toMatchObject({
      aud: 'https://outlook.office365.com',
      iss: `https://sts.windows.net/${tenantId}/`,
      appid: app.appId,
      tid: tenantId,
      roles: ['Exchange.ManageAsApp'],
      wids: [DirectoryRoles['Exchange Administrator']],
    });
  });

  it('issues a token without roles when consent was not granted', () => {
    const { sut, app } = buildSut({ consent: false });
    const outcome = sut.issue({
      tenantSegment: organization,
      origin,
      form: form(
        app.appId,
        buildClientAssertion(cert, {
          clientId: app.appId,
          audience: `${origin}/${organization}/oauth2/v2.0/token`,
        }),
      ),
    });
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(parseCompactJwt(outcome.body.access_token)!.payload.roles).toBeUndefined();
  });

  it('accepts PS256 with x5t#S256 and the same assertion (same jti) twice', () => {
    const { sut, app } = buildSut();
    const assertion = buildClientAssertion(cert, { clientId: app.appId, audience: tokenUrl, alg: 'PS256' });
    expect(sut.issue({ tenantSegment: tenantId, origin, form: form(app.appId, assertion) }).ok).toBe(true);
    expect(sut.issue({ tenantSegment: tenantId, origin, form: form(app.appId, assertion) }).ok).toBe(true);
  });

  it('answers AADSTS700027 "key was not found" for an unregistered certificate', () => {
    const { sut, app } = buildSut();
    const other = buildSelfSignedCertificate();
    const failure = failureOf(
      sut.issue({
        tenantSegment: tenantId,
        origin,
        form: form(app.appId, buildClientAssertion(other, { clientId: app.appId, audience: tokenUrl })),
      }),
    );
    expect(failure).toMatchObject({ status: 401, error: 'invalid_client', code: 700027 });
    expect(failure.message).toContain(
      `[Reason - The key was not found., Thumbprint of key used by client: '${other.sha1Hex}'`,
    );
  });

  it('answers AADSTS700027 "verify the signature failed" when another key signed the assertion', () => {
    const { sut, app } = buildSut();
    const other = buildSelfSignedCertificate();
    const assertion = buildClientAssertion(cert, {
      clientId: app.appId,
      audience: tokenUrl,
      signingKeyPem: other.keyPem,
    });
    const failure = failureOf(
      sut.issue({ tenantSegment: tenantId, origin, form: form(app.appId, assertion) }),
    );
    expect(failure.code).toBe(700027);
    expect(failure.message).toContain('Key was found, but use of the key to verify the signature failed.');
  });

  it('answers AADSTS700024 for an expired assertion', () => {
    const { sut, app } = buildSut();
    const past = Math.floor(Date.now() / 1000) - 3600;
    const assertion = buildClientAssertion(cert, {
      clientId: app.appId,
      audience: tokenUrl,
      nbf: past,
      exp: past + 600,
    });
    const failure = failureOf(
      sut.issue({ tenantSegment: tenantId, origin, form: form(app.appId, assertion) }),
    );
    expect(failure).toMatchObject({ error: 'invalid_client', code: 700024 });
    expect(failure.message).toMatch(
      /^Client assertion is not within its valid time range\. Current time: \d{4}-\d\d-\d\dT[\d:.]{16}Z, assertion valid from/,
    );
  });

  it('answers AADSTS700016 with 400 unauthorized_client for an unknown client id', () => {
    const { sut } = buildSut();
    const unknown = '99999999-9999-4999-8999-999999999999';
    const failure = failureOf(
      sut.issue({
        tenantSegment: tenantId,
        origin,
        form: form(unknown, buildClientAssertion(cert, { clientId: unknown, audience: tokenUrl })),
      }),
    );
    expect(failure).toMatchObject({ status: 400, error: 'unauthorized_client', code: 700016 });
  });

  it('answers AADSTS7000229 with 401 for an app without a service principal in the tenant', () => {
    const { sut, app } = buildSut({ servicePrincipal: false });
    const failure = failureOf(
      sut.issue({
        tenantSegment: tenantId,
        origin,
        form: form(app.appId, buildClientAssertion(cert, { clientId: app.appId, audience: tokenUrl })),
      }),
    );
    expect(failure).toMatchObject({ status: 401, error: 'invalid_client', code: 7000229 });
  });

  it('answers AADSTS7000229 once consent is revoked by deleting the service principal, and issues again after consent', () => {
    const { sut, app, directory } = buildSut();
    const request = () => ({
      tenantSegment: tenantId,
      origin,
      form: form(app.appId, buildClientAssertion(cert, { clientId: app.appId, audience: tokenUrl })),
    });
    directory.removeServicePrincipal(app.appId);
    expect(failureOf(sut.issue(request()))).toMatchObject({ status: 401, code: 7000229 });
    directory.addServicePrincipal(app.appId, { roles: ['Exchange Administrator'] });
    const outcome = sut.issue(request());
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(parseCompactJwt(outcome.body.access_token)!.payload.roles).toEqual(['Exchange.ManageAsApp']);
  });

  it('answers AADSTS90002 invalid_tenant for an unknown tenant and AADSTS9001023 for /common', () => {
    const { sut, app } = buildSut();
    const assertion = buildClientAssertion(cert, { clientId: app.appId, audience: tokenUrl });
    expect(
      failureOf(
        sut.issue({ tenantSegment: 'fabrikam.onmicrosoft.com', origin, form: form(app.appId, assertion) }),
      ),
    ).toMatchObject({ error: 'invalid_tenant', code: 90002 });
    expect(
      failureOf(sut.issue({ tenantSegment: 'common', origin, form: form(app.appId, assertion) })).code,
    ).toBe(9001023);
  });

  it('answers AADSTS7000215 when a client secret is sent instead of a certificate', () => {
    const { sut, app } = buildSut();
    const failure = failureOf(
      sut.issue({
        tenantSegment: tenantId,
        origin,
        form: {
          client_id: app.appId,
          scope: 'https://outlook.office365.com/.default',
          grant_type: 'client_credentials',
          client_secret: 'x',
        },
      }),
    );
    expect(failure).toMatchObject({ error: 'invalid_client', code: 7000215 });
  });

  it('answers invalid_scope for a scope without /.default', () => {
    const { sut, app } = buildSut();
    const failure = failureOf(
      sut.issue({
        tenantSegment: tenantId,
        origin,
        form: form(app.appId, 'x', { scope: 'https://outlook.office365.com/Exchange.ManageAsApp' }),
      }),
    );
    expect(failure).toMatchObject({ status: 400, error: 'invalid_scope', code: 70011 });
  });

  it('refuses ES256, a wrong audience and an iss that is not the client id', () => {
    const { sut, app } = buildSut();
    const issue = (assertion: string) =>
      failureOf(sut.issue({ tenantSegment: tenantId, origin, form: form(app.appId, assertion) })).code;
    expect(issue(buildClientAssertion(cert, { clientId: app.appId, audience: tokenUrl, alg: 'ES256' }))).toBe(
      5002738,
    );
    expect(
      issue(buildClientAssertion(cert, { clientId: app.appId, audience: 'https://example.com/token' })),
    ).toBe(700023);
    expect(
      issue(buildClientAssertion(cert, { clientId: app.appId, audience: tokenUrl, iss: 'someone-else' })),
    ).toBe(700021);
  });

  it('answers invalid_client failures with the configured status', () => {
    const { sut, app } = buildSut({ policy: { invalidClientStatus: 400 } });
    const other = buildSelfSignedCertificate();
    const failure = failureOf(
      sut.issue({
        tenantSegment: tenantId,
        origin,
        form: form(app.appId, buildClientAssertion(other, { clientId: app.appId, audience: tokenUrl })),
      }),
    );
    expect(failure.status).toBe(400);
  });

  it('rejects its own token once expired, for another audience or another tenant', () => {
    const { sut, app } = buildSut({ policy: { tokenLifetimeSeconds: 1, accessTokenClockSkewSeconds: 0 } });
    const outcome = sut.issue({
      tenantSegment: tenantId,
      origin,
      form: form(app.appId, buildClientAssertion(cert, { clientId: app.appId, audience: tokenUrl })),
    });
    if (!outcome.ok) throw new Error(outcome.failure.message);
    const token = outcome.body.access_token;
    expect(sut.verifyAccessToken(token, 'https://outlook.office365.com', tenantId).ok).toBe(true);
    expect(sut.verifyAccessToken(token, 'https://graph.microsoft.com', tenantId)).toEqual({
      ok: false,
      reason: 'audience',
    });
    expect(sut.verifyAccessToken(token, 'https://outlook.office365.com', 'other')).toEqual({
      ok: false,
      reason: 'tenant',
    });
    const later = new TokenService(
      new Directory({ tenantId, organization, displayName: 'x' }),
      signingKey,
      () => ({ ...defaultIdentityPolicy, accessTokenClockSkewSeconds: 0 }),
      () => Date.now() + 5_000,
    );
    expect(later.verifyAccessToken(token, 'https://outlook.office365.com', tenantId)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });
});
