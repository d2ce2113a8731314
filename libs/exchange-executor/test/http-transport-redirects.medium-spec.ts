import { createServer, type Server } from 'node:http';
import { UndiciTransport } from '../src/infra/exchange-client/http-transport';

describe(UndiciTransport.name, () => {
  let host: Server;
  let elsewhere: Server;
  let url: string;
  const reachedElsewhere: string[] = [];

  const listen = async (server: Server) => {
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  };

  beforeAll(async () => {
    elsewhere = createServer((req, res) => {
      reachedElsewhere.push(`${req.method} ${req.url}`);
      res.writeHead(200).end('{}');
    });
    const elsewhereUrl = await listen(elsewhere);
    host = createServer((req, res) => res.writeHead(307, { location: `${elsewhereUrl}${req.url}` }).end());
    url = await listen(host);
  });

  afterAll(async () => {
    for (const server of [host, elsewhere]) await new Promise((ok) => server.close(ok));
  });

  it('answers a redirect instead of re-sending the token and the body to another host', async () => {
    const sut = new UndiciTransport();
    try {
      const res = await sut.request({
        method: 'POST',
        url: `${url}/adminapi/beta/tenant/InvokeCommand`,
        headers: { authorization: 'Bearer exchange-token', 'content-type': 'application/json' },
        body: '{"CmdletInput":{"CmdletName":"Get-Mailbox"}}',
        timeoutMs: 5_000,
      });
      expect(res.status).toBe(307);
      expect(reachedElsewhere).toEqual([]);
    } finally {
      await sut.close();
    }
  });
});
