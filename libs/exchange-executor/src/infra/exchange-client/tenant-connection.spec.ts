import { connectionEndpoints, TenantConnection } from './tenant-connection';

const aConnection = (overrides: Partial<TenantConnection> = {}): TenantConnection =>
  TenantConnection.parse({
    id: 'c1',
    tenantId: '9188040d-6c67-4c5b-b112-36a304b66dad',
    organization: 'contoso.onmicrosoft.com',
    appId: 'a1',
    ...overrides,
  });

describe(connectionEndpoints.name, () => {
  it("requests the Exchange token for the cloud's Exchange host the calls go to", () => {
    const sut = connectionEndpoints(aConnection({ cloud: 'O365USGovGCCHigh' }));

    expect(new URL(sut.invokeCommandUrl).origin).toBe('https://outlook.office365.us');
    expect(sut.tokenScope).toBe('https://outlook.office365.us/.default');
  });

  it('requests a token for an overridden Exchange host itself when the cloud authority issues it', () => {
    const sut = connectionEndpoints(
      aConnection({ exchangeEndpoint: 'https://exchange-proxy.contoso.example/' }),
    );

    expect(new URL(sut.invokeCommandUrl).origin).toBe('https://exchange-proxy.contoso.example');
    expect(sut.tokenScope).toBe('https://exchange-proxy.contoso.example/.default');
  });

  it('keeps the real Exchange resource under a stand-in authority (the sandbox plays both)', () => {
    const sut = connectionEndpoints(
      aConnection({ authorityHost: 'https://127.0.0.1:8443', exchangeEndpoint: 'https://127.0.0.1:8443' }),
    );

    expect(sut.tokenEndpoint).toBe(
      'https://127.0.0.1:8443/9188040d-6c67-4c5b-b112-36a304b66dad/oauth2/v2.0/token',
    );
    expect(sut.tokenScope).toBe('https://outlook.office365.com/.default');
  });
});
