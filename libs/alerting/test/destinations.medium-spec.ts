import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCloudEvent } from '@easgate/contracts';
import { DestinationGuard, DestinationRefusedError, isPublicAddress } from '../src/infra/destination-guard';
import { Destinations } from '../src/infra/destinations';

/** A receiver on loopback answering what `answer` says, counting what reaches it. */
async function receiver(
  answer: (path: string) => { status: number; headers?: Record<string, string>; body?: string },
) {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    const { status, headers, body } = answer(req.url ?? '');
    res.writeHead(status, headers).end(body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const alert = () =>
  createCloudEvent({ source: '//test', type: 'io.easgate.ops.alert.v1', data: {} }) as unknown as Parameters<
    Destinations['send']
  >[1][number];

describe(DestinationGuard.name, () => {
  it('refuses loopback, private, link-local (metadata) and reserved addresses, also behind a name', async () => {
    const sut = new DestinationGuard([], (name) =>
      Promise.resolve(name === 'public.example' ? ['93.184.216.34'] : ['10.1.2.3']),
    );
    for (const url of [
      'http://127.0.0.1:9000/',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[fd00:ec2::254]/',
      'https://internal.example/',
      'ftp://public.example/',
    ])
      await expect(sut.check(url)).rejects.toBeInstanceOf(DestinationRefusedError);
    await expect(sut.check('https://public.example/hook')).resolves.toBeUndefined();
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    await sut.close();
  });

  it('admits a host:port the operator lists, and only that port', async () => {
    const sut = new DestinationGuard(['127.0.0.1:9093']);
    await expect(sut.check('http://127.0.0.1:9093/api')).resolves.toBeUndefined();
    await expect(sut.check('http://127.0.0.1:9094/api')).rejects.toBeInstanceOf(DestinationRefusedError);
    await sut.close();
  });
});

describe(Destinations.name, () => {
  it('sends nothing to a destination that is not admitted', async () => {
    const target = await receiver(() => ({ status: 200 }));
    const sut = new Destinations({ timeoutMs: 2000, alertmanagerActiveForMs: 60_000, now: () => new Date() });
    try {
      await expect(
        sut.send(
          { type: 'webhook', url: `http://${target.host}/hook`, secret: 'x'.repeat(32) },
          [alert()],
          'd1',
        ),
      ).rejects.toThrow(/private, loopback/);
      expect(target.hits).toEqual([]);
    } finally {
      sut.close();
      await target.close();
    }
  });

  it('follows no redirect and never puts the answer body into the error', async () => {
    const inner = await receiver(() => ({ status: 200 }));
    const target = await receiver((path) =>
      path === '/redirect'
        ? { status: 302, headers: { location: `http://${inner.host}/` } }
        : { status: 500, body: 'internal secret: db password is hunter2' },
    );
    const sut = new Destinations({
      timeoutMs: 2000,
      alertmanagerActiveForMs: 60_000,
      now: () => new Date(),
      guard: new DestinationGuard([target.host, inner.host]),
    });
    const hook = (path: string) => ({
      type: 'webhook' as const,
      url: `http://${target.host}${path}`,
      secret: 'x'.repeat(32),
    });
    try {
      await expect(sut.send(hook('/redirect'), [alert()], 'd2')).rejects.toThrow(
        /HTTP 302 .*redirects are not followed/,
      );
      const failed = await sut.send(hook('/fail'), [alert()], 'd3').catch((err: Error) => err.message);
      expect(inner.hits).toEqual([]);
      expect(failed).toMatch(/^HTTP 500 from 127\.0\.0\.1/);
      expect(failed).not.toContain('hunter2');
    } finally {
      sut.close();
      await target.close();
      await inner.close();
    }
  });
});
