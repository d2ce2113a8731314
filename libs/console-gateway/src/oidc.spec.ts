import { identityFromClaims, OidcErrorCode, OidcSignInError, oidcSettingsFrom } from './oidc';

const anEnv = (overrides: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  CONSOLE_OIDC_ISSUER: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
  CONSOLE_OIDC_CLIENT_ID: 'c0ffee00-0000-4000-8000-000000000001',
  CONSOLE_OIDC_REDIRECT_URL: 'https://console.contoso.example/auth/oidc/callback',
  ...overrides,
});

describe(oidcSettingsFrom.name, () => {
  const sut = oidcSettingsFrom;

  it('is off without an issuer', () => {
    expect(sut({})).toBeUndefined();
  });

  it('reads an Entra ID tenant issuer with the default scope and every tenant', () => {
    expect(sut(anEnv())).toEqual({
      issuer: new URL('https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0'),
      clientId: 'c0ffee00-0000-4000-8000-000000000001',
      redirectUrl: 'https://console.contoso.example/auth/oidc/callback',
      tenants: '*',
      scope: 'openid profile email',
    });
  });

  it('reads the tenants SSO users act for as a list', () => {
    expect(
      sut(anEnv({ CONSOLE_OIDC_TENANTS: ' contoso.onmicrosoft.com, ,fabrikam.onmicrosoft.com ' }))?.tenants,
    ).toEqual(['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com']);
  });

  it('refuses an http issuer: the ID token is trusted because TLS says who sent it', () => {
    expect(() => sut(anEnv({ CONSOLE_OIDC_ISSUER: 'http://idp.contoso.example' }))).toThrow(
      'invalid OIDC configuration: CONSOLE_OIDC_ISSUER',
    );
  });

  it('refuses a scope without openid, naming the key and not the value', () => {
    const attempt = () => sut(anEnv({ CONSOLE_OIDC_SCOPE: 'profile secret-scope' }));
    expect(attempt).toThrow('invalid OIDC configuration: CONSOLE_OIDC_SCOPE');
    expect(attempt).not.toThrow(/secret-scope/);
  });

  it('names a client secret file it cannot read', () => {
    expect(() => sut(anEnv({ CONSOLE_OIDC_CLIENT_SECRET_FILE: '/nonexistent/oidc-client-secret' }))).toThrow(
      'invalid OIDC configuration: CONSOLE_OIDC_CLIENT_SECRET_FILE: cannot read /nonexistent/oidc-client-secret (ENOENT)',
    );
  });
});

describe(identityFromClaims.name, () => {
  const sut = identityFromClaims;

  it('maps the easgate app roles, once each, and ignores the others', () => {
    expect(
      sut(
        {
          sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
          preferred_username: 'ada@contoso.example',
          roles: ['easgate.operator', 'payroll.reader', 'easgate.auditor', 'easgate.operator'],
        },
        ['contoso.onmicrosoft.com'],
      ),
    ).toEqual({
      kind: 'user',
      id: 'ada@contoso.example',
      roles: ['operator', 'auditor'],
      tenants: ['contoso.onmicrosoft.com'],
    });
  });

  it('names the user by preferred_username, else email, else sub', () => {
    const roles = ['easgate.auditor'];
    expect(sut({ sub: 's', email: 'e@contoso.example', roles }, '*')?.id).toBe('e@contoso.example');
    expect(sut({ sub: 's', roles }, '*')?.id).toBe('s');
  });

  it('admits nobody without an easgate role (a string, not a list, is no list of roles)', () => {
    expect(sut({ sub: 's', roles: ['payroll.reader'] }, '*')).toBeUndefined();
    expect(sut({ sub: 's', roles: 'easgate.admin' }, '*')).toBeUndefined();
    expect(sut({ sub: 's' }, '*')).toBeUndefined();
  });
});

describe(OidcSignInError.name, () => {
  it.each([
    [OidcErrorCode.LoginUnknown, 400],
    [OidcErrorCode.ResponseInvalid, 401],
    [OidcErrorCode.ProviderRefused, 403],
    [OidcErrorCode.NoRole, 403],
    [OidcErrorCode.ProviderUnavailable, 502],
  ])('answers %s with %i', (code, status) => {
    expect(new OidcSignInError(code, 'why').status).toBe(status);
  });
});
