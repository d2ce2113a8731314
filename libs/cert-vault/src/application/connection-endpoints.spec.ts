import type { TenantConnection } from '../domain/certificate';
import { graphScopeOf, isAllowedAudience, tokenEndpointOf } from './connection-endpoints';

const aConnection = (overrides: Partial<TenantConnection> = {}): TenantConnection => ({
  id: 'c1',
  tenantId: '9188040d-6c67-4c5b-b112-36a304b66dad',
  appId: 'a1',
  organization: 'contoso.onmicrosoft.com',
  cloud: 'O365Default',
  signingAlgorithm: 'RS256',
  createdAt: '2026-11-26T00:00:00.000Z',
  updatedAt: '2026-11-26T00:00:00.000Z',
  ...overrides,
});

describe('isAllowedAudience', () => {
  it("accepts the connection's token endpoint by tenant id or organization", () => {
    const sut = aConnection();

    expect(
      isAllowedAudience(
        sut,
        'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/oauth2/v2.0/token',
      ),
    ).toBe(true);
    expect(
      isAllowedAudience(sut, 'https://login.microsoftonline.com/Contoso.onmicrosoft.com/oauth2/v2.0/token'),
    ).toBe(true);
  });

  it('refuses another host or another tenant', () => {
    const sut = aConnection();

    expect(
      isAllowedAudience(sut, 'https://evil.example/9188040d-6c67-4c5b-b112-36a304b66dad/oauth2/v2.0/token'),
    ).toBe(false);
    expect(isAllowedAudience(sut, 'https://login.microsoftonline.com/common/oauth2/v2.0/token')).toBe(false);
  });

  it('follows an authority override (the sandbox) and keeps the real Graph scope', () => {
    const sut = aConnection({ authorityHost: 'https://127.0.0.1:8443' });

    expect(tokenEndpointOf(sut)).toBe(
      'https://127.0.0.1:8443/9188040d-6c67-4c5b-b112-36a304b66dad/oauth2/v2.0/token',
    );
    expect(graphScopeOf(sut, 'https://127.0.0.1:8443')).toBe('https://graph.microsoft.com/.default');
  });

  it('requests a Graph token for the Graph host it is sent to when the cloud authority issues it', () => {
    const sut = aConnection({ graphUrl: 'https://graph-proxy.contoso.example' });

    expect(graphScopeOf(sut, sut.graphUrl)).toBe('https://graph-proxy.contoso.example/.default');
    expect(graphScopeOf(sut)).toBe('https://graph.microsoft.com/.default');
    expect(graphScopeOf(aConnection({ cloud: 'O365USGovGCCHigh' }))).toBe(
      'https://graph.microsoft.us/.default',
    );
  });
});
