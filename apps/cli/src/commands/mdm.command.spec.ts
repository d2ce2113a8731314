import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createCloudEvent } from '@easgate/contracts';
import { batchBodies, registerMdmCommands } from './mdm.command';

const ROOT = resolve(__dirname, '../../../..');

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `easgate` entry point, as an MDM integrator trying the contract would. */
function easgate(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, 'tools/bin/easgate.js'), 'mdm', ...args],
      { cwd: ROOT, env: { ...process.env, KAFKA_BROKERS: '', ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => done({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// Each case starts the real CLI (SWC-compiled on the fly): seconds on a busy machine.
jest.setTimeout(30_000);

const verdict = ['--tenant', 'contoso.onmicrosoft.com', '--upn', 'ada@contoso.com', '--device', 'mdm-1'];

describe(registerMdmCommands.name, () => {
  let server: Server;
  let url: string;
  const received: { headers: IncomingHttpHeaders; body: unknown }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(body) });
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts one CloudEvent to a running easgate with the API token from the environment', async () => {
    const sut = await easgate(
      [
        'send',
        ...verdict,
        '--state',
        'noncompliant',
        '--eas-id',
        'ABC1',
        '--reason',
        'jailbroken',
        '--sequence',
        '4',
        '--url',
        url,
      ],
      {
        EASGATE_API_TOKEN: 'secret-token',
      },
    );

    expect(sut).toMatchObject({
      status: 0,
      stdout: expect.stringContaining('sent io.easgate.mdm.device.compliance'),
    });
    expect(received[0].headers.authorization).toBe('Bearer secret-token');
    expect(received[0].headers['content-type']).toBe('application/cloudevents-batch+json');
    expect(received[0].body).toEqual([
      expect.objectContaining({
        type: 'io.easgate.mdm.device.compliance',
        subject: 'mdm-1',
        data: expect.objectContaining({
          state: 'noncompliant',
          easDeviceIds: ['ABC1'],
          reasons: ['jailbroken'],
          sequence: 4,
        }),
      }),
    ]);
  });

  it('refuses an event the contract would dead-letter, saying why', async () => {
    const sut = await easgate([
      'send',
      '--tenant',
      'contoso',
      '--upn',
      'ada',
      '--device',
      'mdm-1',
      '--state',
      'compliant',
      '--url',
      url,
    ]);

    expect(sut.status).toBe(2);
    expect(sut.stderr).toContain('data.tenant: tenant must be the Entra tenant id');
    expect(sut.stderr).toContain('data.userPrincipalName');
  });

  it('asks where to send when neither Kafka nor a URL is given', async () => {
    const sut = await easgate(['send', ...verdict, '--state', 'compliant']);

    expect(sut.status).toBe(2);
    expect(sut.stderr).toContain('--brokers / KAFKA_BROKERS (Kafka) or --url');
  });

  it('generates a feed in batches within the route limit and reports events per second', async () => {
    received.splice(0);
    const sut = await easgate(
      [
        'generate',
        '--tenant',
        'contoso.onmicrosoft.com',
        '--events',
        '2500',
        '--batch',
        '1000',
        '--url',
        url,
      ],
      { EASGATE_API_TOKEN: 'secret-token' },
    );

    expect(sut.status).toBe(0);
    expect(sut.stdout).toMatch(/ events\/s accepted, 3 requests/);
    const sizes = received.map((r) => (r.body as unknown[]).length);
    expect(sizes.slice(0, 2)).toEqual([1000, 1000]);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2500);
  });

  it('refuses a --batch over what the route takes per request', async () => {
    const sut = await easgate([
      'generate',
      '--tenant',
      'contoso.onmicrosoft.com',
      '--batch',
      '5001',
      '--url',
      url,
    ]);
    expect(sut.status).toBe(2);
    expect(sut.stderr).toContain('--batch must be at most 5000');
  });
});

describe(batchBodies.name, () => {
  const events = (n: number) =>
    Array.from({ length: n }, (_, i) => createCloudEvent({ source: '//t', type: 't', data: { i } }));

  it('splits by events per request', () => {
    const sut = batchBodies(events(5), { maxEvents: 2, maxBytes: 1_000_000 });
    expect(sut.map((b) => (JSON.parse(b) as unknown[]).length)).toEqual([2, 2, 1]);
  });

  it('splits so that no body is over the byte limit, keeping the order', () => {
    const all = events(40);
    const maxBytes = 1_000;
    const sut = batchBodies(all, { maxEvents: 1000, maxBytes });
    expect(sut.length).toBeGreaterThan(1);
    for (const body of sut) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(maxBytes);
    expect(sut.flatMap((b) => JSON.parse(b) as { id: string }[]).map((e) => e.id)).toEqual(
      all.map((e) => e.id),
    );
  });
});
