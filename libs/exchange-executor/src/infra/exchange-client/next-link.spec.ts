import { ExchangeClient } from './exchange-client';
import { ExchangeErrorCode } from './exchange-error';
import type { HttpRequest, HttpResponse, HttpTransport } from './http-transport';
import { connectionEndpoints } from './tenant-connection';
import { TenantGuard } from './tenant-guard';

class PagingExchange implements HttpTransport {
  readonly urls: string[] = [];
  constructor(private readonly nextLink: string) {}
  request(request: HttpRequest): Promise<HttpResponse> {
    this.urls.push(request.url);
    const page =
      this.urls.length === 1
        ? { value: [{ n: 1 }], '@odata.nextLink': this.nextLink }
        : { value: [{ n: 2 }] };
    return Promise.resolve({ status: 200, headers: {}, text: JSON.stringify(page) });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function clientOn(http: HttpTransport): ExchangeClient {
  return new ExchangeClient({
    endpoints: connectionEndpoints({
      id: 'c1',
      tenantId: '00000000-0000-0000-0000-000000000001',
      organization: 'contoso.onmicrosoft.com',
      appId: '00000000-0000-0000-0000-000000000002',
      cloud: 'O365Default',
    }),
    tokens: { accessToken: () => Promise.resolve('exchange-token') },
    http,
    guard: new TenantGuard(),
  });
}

describe(ExchangeClient.name, () => {
  it('refuses an @odata.nextLink on another origin without sending the token there', async () => {
    const http = new PagingExchange('https://collector.example.net/adminapi/beta/next');
    const sut = clientOn(http);

    await expect(sut.invoke('Get-MobileDevice')).rejects.toMatchObject({
      code: ExchangeErrorCode.UnexpectedResponse,
    });
    expect(http.urls.every((url) => url.startsWith('https://outlook.office365.com/'))).toBe(true);
  });

  it('follows an @odata.nextLink on the same origin', async () => {
    const http = new PagingExchange('https://outlook.office365.com/adminapi/beta/next?page=2');
    const result = await clientOn(http).invoke('Get-MobileDevice');

    expect(result.values).toEqual([{ n: 1 }, { n: 2 }]);
    expect(http.urls).toHaveLength(2);
  });
});
