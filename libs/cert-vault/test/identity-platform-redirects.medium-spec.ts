import { createServer, type Server } from 'node:http';
import { Agent } from 'undici';
import { HttpIdentityPlatform } from '../src/infra/identity-platform.client';

/** Two hosts on loopback: one answers every request with a 307 to the other, which records what reaches it. */
async function aRedirectingHost() {
  const reachedElsewhere: string[] = [];
  const listen = async (server: Server) => {
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  };
  const elsewhere = createServer((req, res) => {
    reachedElsewhere.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"access_token":"x","keyCredentials":[]}');
  });
  const elsewhereUrl = await listen(elsewhere);
  const host = createServer((req, res) =>
    res.writeHead(307, { location: `${elsewhereUrl}${req.url}` }).end(),
  );
  const url = await listen(host);
  return {
    url,
    reachedElsewhere,
    close: async () => {
      for (const server of [host, elsewhere]) await new Promise((ok) => server.close(ok));
    },
  };
}

describe(HttpIdentityPlatform.name, () => {
  it('does not follow a redirect of the token endpoint: the client assertion goes nowhere else', async () => {
    const world = await aRedirectingHost();
    const sut = new HttpIdentityPlatform(new Agent(), 5_000);
    try {
      const outcome = await sut.requestToken({
        tokenEndpoint: `${world.url}/tenant/oauth2/v2.0/token`,
        clientId: 'app',
        clientAssertion: 'a.client.assertion',
        scope: 'https://graph.microsoft.com/.default',
      });
      expect(outcome).toMatchObject({ ok: false, status: 307 });
      expect(world.reachedElsewhere).toEqual([]);
    } finally {
      await sut.close();
      await world.close();
    }
  });

  it('does not follow a redirect of Graph: the access token goes nowhere else', async () => {
    const world = await aRedirectingHost();
    const sut = new HttpIdentityPlatform(new Agent(), 5_000);
    try {
      await expect(
        sut.listKeys({ graphUrl: world.url, applicationObjectId: 'app-object', accessToken: 'graph-token' }),
      ).rejects.toMatchObject({ message: expect.stringContaining('HTTP 307') });
      await expect(
        sut.removeKey({
          graphUrl: world.url,
          applicationObjectId: 'app-object',
          accessToken: 'graph-token',
          proof: 'proof',
          keyId: 'k1',
        }),
      ).rejects.toMatchObject({ message: expect.stringContaining('HTTP 307') });
      expect(world.reachedElsewhere).toEqual([]);
    } finally {
      await sut.close();
      await world.close();
    }
  });
});
