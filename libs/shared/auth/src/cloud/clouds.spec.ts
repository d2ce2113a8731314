import { CloudName, resolveCloud, tokenEndpoint } from './clouds';

describe(resolveCloud.name, () => {
  it.each([
    [
      CloudName.Global,
      'https://login.microsoftonline.com',
      'https://outlook.office365.com',
      'https://graph.microsoft.com',
    ],
    [
      CloudName.GccHigh,
      'https://login.microsoftonline.us',
      'https://outlook.office365.us',
      'https://graph.microsoft.us',
    ],
    [
      CloudName.DoD,
      'https://login.microsoftonline.us',
      'https://webmail.apps.mil',
      'https://dod-graph.microsoft.us',
    ],
    [
      CloudName.China,
      'https://login.partner.microsoftonline.cn',
      'https://partner.outlook.cn',
      'https://microsoftgraph.chinacloudapi.cn',
    ],
  ])('knows %s', (name, authorityHost, exchangeUrl, graphUrl) => {
    const sut = resolveCloud(name);

    expect(sut).toMatchObject({
      name,
      authorityHost,
      exchangeUrl,
      graphUrl,
      tokenScope: `${exchangeUrl}/.default`,
      adminApiBaseUrl: `${exchangeUrl}/adminapi/beta`,
    });
  });

  it('defaults to the global cloud and accepts short aliases', () => {
    expect(resolveCloud().name).toBe(CloudName.Global);
    expect(resolveCloud('gcc-high').name).toBe(CloudName.GccHigh);
    expect(resolveCloud('china').name).toBe(CloudName.China);
  });

  it('applies overrides for a local sandbox, keeping the real Exchange token scope', () => {
    const sut = resolveCloud('O365Default', {
      authorityHost: 'https://127.0.0.1:8443/',
      connectionUri: 'https://127.0.0.1:8444/powershell-liveid/',
    });

    expect(sut).toMatchObject({
      authorityHost: 'https://127.0.0.1:8443',
      exchangeUrl: 'https://127.0.0.1:8444',
      adminApiBaseUrl: 'https://127.0.0.1:8444/adminapi/beta',
      tokenScope: 'https://outlook.office365.com/.default',
    });
  });

  it('refuses unknown clouds and non-https overrides', () => {
    expect(() => resolveCloud('O365GermanyCloud')).toThrow(/Unknown cloud/);
    expect(() => resolveCloud('global', { authorityHost: 'http://localhost' })).toThrow(/https/);
  });
});

describe(tokenEndpoint.name, () => {
  it('builds the v2 token endpoint used as the assertion audience', () => {
    expect(tokenEndpoint(resolveCloud(), 'contoso.onmicrosoft.com')).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    );
  });

  it('refuses common and organizations, which client credentials cannot use', () => {
    expect(() => tokenEndpoint(resolveCloud(), 'common')).toThrow();
    expect(() => tokenEndpoint(resolveCloud(), 'organizations')).toThrow();
  });
});
