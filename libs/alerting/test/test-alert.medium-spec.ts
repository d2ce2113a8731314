import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpsAlertV1 } from '@easgate/contracts';
import { InProcessBus } from '@easgate/messaging';
import { type RunningService, startService } from '@easgate/service-runtime';
import { createTestDatabase, type TestDatabase } from '@easgate/testing';
import { alertingService, SIGNATURE_HEADER, verifyWebhook } from '../src';

const API_TOKEN = 'alerting-test-alert-token';
const SECRET = 'test-alert-webhook-secret-value';
const TENANT = 'contoso.onmicrosoft.com';

interface Received {
  path: string;
  body: unknown;
  verified: boolean;
}

/** A loopback receiver answering `status` (and a body that must never be echoed back). */
async function receiver(status: number) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const signature = req.headers[SIGNATURE_HEADER];
      received.push({
        path: req.url ?? '',
        body: JSON.parse(raw),
        verified: typeof signature === 'string' && verifyWebhook(SECRET, raw, signature, new Date()),
      });
      res.writeHead(status, { 'content-type': 'text/plain' }).end('internal: db password is hunter2');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, received, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/** A loopback port nobody listens on. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((ok) => server.close(() => ok()));
  return `127.0.0.1:${port}`;
}

describe('alerting: send test alert', () => {
  let db: TestDatabase;
  let bus: InProcessBus;
  let sut: RunningService;
  let webhook: Awaited<ReturnType<typeof receiver>>;
  let alertmanager: Awaited<ReturnType<typeof receiver>>;
  let failing: Awaited<ReturnType<typeof receiver>>;
  let nobody: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-test-alert-'));

  beforeAll(async () => {
    [db, webhook, alertmanager, failing, nobody] = await Promise.all([
      createTestDatabase(),
      receiver(204),
      receiver(200),
      receiver(500),
      closedPort(),
    ]);
    bus = new InProcessBus();
    sut = await startService(alertingService, {
      bus,
      databaseUrl: db.url,
      dataDir,
      apiToken: API_TOKEN,
      port: 0,
      env: {
        ALERTING_SWEEP_INTERVAL_SECONDS: '3600',
        // The receivers are on loopback: admitted by the operator, as an in-cluster one would be.
        ALERTING_ALLOWED_DESTINATION_HOSTS: [webhook.host, alertmanager.host, failing.host, nobody].join(','),
      },
    });
  });

  afterAll(async () => {
    await sut?.close();
    await bus?.close();
    await Promise.all([webhook?.close(), alertmanager?.close(), failing?.close()]);
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${sut.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      text,
      body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
    };
  }

  async function subscribe(destination: Record<string, unknown>): Promise<string> {
    const created = await call('POST', `/v1/tenants/${TENANT}/subscriptions`, {
      name: `test ${String(destination['url'])}`,
      kinds: ['certificate-expiring'],
      destination,
    });
    expect(created.status).toBe(201);
    return String(created.body['id']);
  }

  it('sends a signed test alert to a webhook and reports it delivered, without recording a delivery', async () => {
    const id = await subscribe({ type: 'webhook', url: `http://${webhook.host}/hook`, secret: SECRET });

    const sent = await call('POST', `/v1/tenants/${TENANT}/subscriptions/${id}/test`);

    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ subscriptionId: id, destination: 'webhook', delivered: true });
    expect(webhook.received).toHaveLength(1);
    expect(webhook.received[0].verified).toBe(true);
    const alert = OpsAlertV1.parse((webhook.received[0].body as { alert: unknown }).alert);
    expect(alert).toMatchObject({
      kind: 'test-alert',
      severity: 'info',
      tenant: TENANT,
      fingerprint: sent.body['fingerprint'],
    });
    const deliveries = await call('GET', `/v1/tenants/${TENANT}/subscriptions/${id}/deliveries`);
    expect(deliveries.body).toEqual([]);
  });

  it('posts the test alert to Alertmanager v2 with the alert name test-alert', async () => {
    const id = await subscribe({ type: 'alertmanager', url: `http://${alertmanager.host}` });

    const sent = await call('POST', `/v1/tenants/${TENANT}/subscriptions/${id}/test`);

    expect(sent.status).toBe(200);
    expect(alertmanager.received.map((r) => r.path)).toEqual(['/api/v2/alerts']);
    expect(alertmanager.received[0].body).toEqual([
      expect.objectContaining({
        labels: expect.objectContaining({ alertname: 'test-alert', severity: 'info', tenant: TENANT }),
      }),
    ]);
  });

  it('reports a destination answering 500 as DESTINATION_REJECTED with the status, never its body', async () => {
    const id = await subscribe({ type: 'alertmanager', url: `http://${failing.host}` });

    const sent = await call('POST', `/v1/tenants/${TENANT}/subscriptions/${id}/test`);

    expect(sent.status).toBe(502);
    expect(sent.body).toEqual({
      code: 'DESTINATION_REJECTED',
      message: `${failing.host} answered HTTP 500`,
    });
    expect(sent.text).not.toContain('hunter2');
  });

  it('reports a destination nobody listens on as DESTINATION_UNREACHABLE', async () => {
    const id = await subscribe({ type: 'webhook', url: `http://${nobody}/hook`, secret: SECRET });

    const sent = await call('POST', `/v1/tenants/${TENANT}/subscriptions/${id}/test`);

    expect(sent.status).toBe(502);
    expect(sent.body).toMatchObject({ code: 'DESTINATION_UNREACHABLE' });
    expect(String(sent.body['message'])).toContain(`${nobody} refused the connection`);
  });

  it('answers SUBSCRIPTION_NOT_FOUND for a subscription of another tenant', async () => {
    const id = await subscribe({ type: 'alertmanager', url: `http://${alertmanager.host}` });

    const sent = await call('POST', `/v1/tenants/fabrikam.onmicrosoft.com/subscriptions/${id}/test`);

    expect(sent.status).toBe(404);
    expect(sent.body).toMatchObject({ code: 'SUBSCRIPTION_NOT_FOUND' });
  });
});
