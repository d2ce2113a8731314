import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  allTopics,
  certificateEventType,
  type CertificateLifecycleV1,
  createCloudEvent,
  deadLetterTopicOf,
  encodeStructured,
  type ExchangeConfigDriftV1,
  ExchangeEventTypes,
  type ExchangeResultV1,
  type KafkaRecord,
  OpsAlertV1,
  OpsEventTypes,
  type ServiceHealthV1,
  Topics,
} from '@easgate/contracts';
import { DeadLetterHeaders, KafkaBus } from '@easgate/messaging';
import { type RunningService, startService } from '@easgate/service-runtime';
import {
  createTestDatabase,
  settle,
  type TestDatabase,
  testBrokers,
  testKafka,
  TopicRecorder,
  uniqueName,
  waitFor,
} from '@easgate/testing';
import type { Producer } from 'kafkajs';
import { Client } from 'pg';
import { type RunningAlertmanager, startAlertmanager } from './support/alertmanager';
import { type SmtpSink, startSmtpSink } from './support/smtp-sink';
import { alertingService, SIGNATURE_HEADER, verifyWebhook } from '../src';

const API_TOKEN = 'alerting-medium-token';
const WEBHOOK_SECRET = 'medium-test-webhook-secret';
const DAY = 86_400_000;

interface WebhookDelivery {
  body: { alert: OpsAlertV1; eventId: string };
  verified: boolean;
}

/** A webhook receiver on loopback that checks every signature. */
async function startWebhookReceiver(): Promise<{ url: string; received: WebhookDelivery[]; server: Server }> {
  const received: WebhookDelivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const header = req.headers[SIGNATURE_HEADER];
      received.push({
        body: JSON.parse(raw),
        verified: typeof header === 'string' && verifyWebhook(WEBHOOK_SECRET, raw, header, new Date()),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hooks/easgate`, received, server };
}

function certificateEvent(tenant: string, certificateId: string, overrides: Partial<CertificateLifecycleV1>) {
  const data: CertificateLifecycleV1 = {
    kind: 'activated',
    tenant,
    connectionId: 'conn-1',
    certificateId,
    thumbprintSha1: 'A'.repeat(40),
    thumbprintSha256: 'B'.repeat(64),
    subject: 'CN=easgate-medium',
    notBefore: new Date(Date.now() - DAY).toISOString(),
    notAfter: new Date(Date.now() + 20 * DAY).toISOString(),
    status: 'active',
    daysLeft: 20,
    ...overrides,
  };
  return createCloudEvent({
    source: '//easgate/cert-vault',
    type: certificateEventType(data.kind),
    tenant,
    subject: certificateId,
    data,
  });
}

function exchangeResult(tenant: string, overrides: Partial<ExchangeResultV1>) {
  const data: ExchangeResultV1 = {
    commandId: crypto.randomUUID(),
    tenant,
    mailbox: 'user@contoso.com',
    action: { kind: 'block-device', deviceId: 'DEV1' },
    outcome: 'applied',
    cmdlets: ['Set-CASMailbox'],
    attempts: 1,
    completedAt: new Date().toISOString(),
    ...overrides,
  };
  return createCloudEvent({
    source: '//easgate/exchange-executor',
    type: ExchangeEventTypes.Result,
    tenant,
    data,
  });
}

/** A configuration-drift event as the executor's configuration sync publishes it. */
function configDrift(tenant: string, drift: Omit<ExchangeConfigDriftV1, 'tenant' | 'syncId' | 'observedAt'>) {
  const data: ExchangeConfigDriftV1 = {
    tenant,
    syncId: crypto.randomUUID(),
    observedAt: new Date().toISOString(),
    ...drift,
  };
  return createCloudEvent({
    source: '//easgate/exchange-executor',
    type: ExchangeEventTypes.ConfigDrift,
    tenant,
    subject: drift.identity,
    data,
  });
}

function health(data: ServiceHealthV1) {
  return createCloudEvent({ source: `//easgate/${data.service}`, type: OpsEventTypes.Health, data });
}

async function produce(producer: Producer, topic: string, records: KafkaRecord[]): Promise<void> {
  await producer.send({
    topic,
    messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
  });
}

describe(alertingService.name, () => {
  let db: TestDatabase;
  let bus: KafkaBus;
  let sut: RunningService;
  let producer: Producer;
  let recorder: TopicRecorder;
  let alertmanager: RunningAlertmanager;
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let smtp: SmtpSink;
  const group = uniqueName('alerting');
  // One data directory across restarts: the generated key sealing webhook secrets lives there.
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-'));
  const env = {
    ALERTING_RESOLVE_HOLD_SECONDS: '0',
    ALERTING_DELIVERY_POLL_MS: '100',
    ALERTING_DELIVERY_INITIAL_BACKOFF_MS: '100',
    ALERTING_DELIVERY_ALERT_AFTER_FAILURES: '1',
    ALERTING_SWEEP_INTERVAL_SECONDS: '3600',
    ALERTING_DLQ_CONSUMER_GROUP: `${group}-dlq`,
    ALERTING_DLQ_FROM_BEGINNING: 'false',
    ALERTING_SMTP_FROM: 'easgate@medium.test',
    ALERTMANAGER_RESEND_SECONDS: '1',
  };

  async function startAlerting(): Promise<RunningService> {
    return startService(alertingService, {
      bus,
      databaseUrl: db.url,
      dataDir,
      apiToken: API_TOKEN,
      port: 0,
      consumerGroup: group,
      fromBeginning: false,
      env: {
        ...env,
        ALERTING_SMTP_URL: smtp.url,
        // The local receivers are on loopback: admitted by the operator, as an in-cluster one would be.
        ALERTING_ALLOWED_DESTINATION_HOSTS: [webhook.url, alertmanager.url, 'http://127.0.0.1:9']
          .map((u) => new URL(u).host)
          .join(','),
      },
    });
  }

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${sut.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  async function storedDestinations(tenant: string): Promise<string[]> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ destination: string }>(
        'SELECT destination FROM alerting.alert_subscription WHERE tenant = $1',
        [tenant],
      );
      return rows.map((r) => r.destination);
    } finally {
      await client.end();
    }
  }

  function alertsOnTopic(tenant: string): { type: string; data: OpsAlertV1; key: string | null }[] {
    return recorder.on(Topics.OpsAlert).flatMap((r) => {
      const event = JSON.parse(r.value!.toString('utf8'));
      return event.tenant === tenant
        ? [{ type: event.type, data: OpsAlertV1.parse(event.data), key: r.key }]
        : [];
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase('alerting_t');
    bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('alerting') });
    await bus.ensureTopics(allTopics());
    [alertmanager, webhook, recorder] = await Promise.all([
      startAlertmanager(),
      startWebhookReceiver(),
      TopicRecorder.start([Topics.OpsAlert]),
    ]);
    smtp = await startSmtpSink();
    producer = testKafka().producer();
    await producer.connect();
    sut = await startAlerting();
  });

  afterAll(async () => {
    await sut?.close();
    await producer?.disconnect();
    await recorder?.stop();
    await bus?.close();
    await alertmanager?.stop();
    await new Promise((resolve) => webhook?.server.close(resolve));
    await smtp?.close();
    await db?.drop();
  });

  it('turns certificate lifecycle events into one alert per state change, across a restart, on the topic, a webhook and Alertmanager', async () => {
    const tenant = `${uniqueName('cert')}.onmicrosoft.com`;
    await api('POST', `/v1/tenants/${tenant}/subscriptions`, {
      name: 'webhook',
      minSeverity: 'info',
      destination: { type: 'webhook', url: webhook.url, secret: WEBHOOK_SECRET },
    });
    // The webhook secret is sealed at rest: the stored row holds ciphertext, never the secret.
    const stored = await storedDestinations(tenant);
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toContain(WEBHOOK_SECRET);
    expect(stored[0]).toMatch(/"sealedSecret":"aes256gcm:/);
    await api('POST', `/v1/tenants/${tenant}/subscriptions`, {
      name: 'alertmanager',
      minSeverity: 'info',
      kinds: ['certificate-expiring'],
      destination: { type: 'alertmanager', url: alertmanager.url },
    });
    const activated = certificateEvent(tenant, 'cert-1', {});
    // The same event twice, and a second event saying the same: one alert.
    await produce(producer, Topics.CertificateLifecycle, [
      encodeStructured(activated, 'cert-1'),
      encodeStructured(activated, 'cert-1'),
      encodeStructured(certificateEvent(tenant, 'cert-1', { kind: 'validated' }), 'cert-1'),
    ]);
    const fired = await waitFor('the firing alert', () => alertsOnTopic(tenant)[0]);
    expect(fired.type).toBe(OpsEventTypes.AlertFiring);
    expect(fired.data).toMatchObject({
      kind: 'certificate-expiring',
      severity: 'info',
      revision: 1,
      labels: { certificateId: 'cert-1' },
    });
    expect(fired.key).toBe(fired.data.fingerprint);
    const inAlertmanager = await waitFor('the alert in Alertmanager', async () => {
      const alerts = (await fetch(
        `${alertmanager.url}/api/v2/alerts?filter=tenant%3D%22${encodeURIComponent(tenant)}%22`,
      ).then((r) => r.json())) as {
        labels: Record<string, string>;
        annotations: Record<string, string>;
        status: { state: string };
      }[];
      return alerts[0];
    });
    expect(inAlertmanager.labels).toMatchObject({
      alertname: 'certificate-expiring',
      severity: 'info',
      certificateId: 'cert-1',
    });
    expect(inAlertmanager.annotations['runbook']).toMatch(/Rotate/);

    await sut.close();
    sut = await startAlerting();

    // Severity rises as expiry nears; the same certificate keeps the same alert.
    await produce(producer, Topics.CertificateLifecycle, [
      encodeStructured(
        certificateEvent(tenant, 'cert-1', {
          kind: 'expiring',
          notAfter: new Date(Date.now() + 5 * DAY).toISOString(),
          thresholdDays: 7,
        }),
        'cert-1',
      ),
    ]);
    const escalated = await waitFor('the escalation', () => alertsOnTopic(tenant)[1]);
    expect(escalated.data).toMatchObject({
      fingerprint: fired.data.fingerprint,
      severity: 'critical',
      revision: 2,
      status: 'firing',
    });

    // The rotation retires the certificate: the condition clears.
    const retired = certificateEvent(tenant, 'cert-1', { kind: 'retired', status: 'retired' });
    await produce(producer, Topics.CertificateLifecycle, [
      encodeStructured(retired, 'cert-1'),
      encodeStructured(retired, 'cert-1'),
    ]);
    const resolved = await waitFor('the resolve', () => alertsOnTopic(tenant)[2]);
    expect(resolved.type).toBe(OpsEventTypes.AlertResolved);
    expect(resolved.data).toMatchObject({
      fingerprint: fired.data.fingerprint,
      status: 'resolved',
      revision: 3,
    });
    expect(resolved.data.endsAt).toBeDefined();

    await waitFor(
      'three webhook deliveries',
      () => webhook.received.filter((d) => d.body.alert.tenant === tenant).length >= 3,
    );
    await waitFor('Alertmanager to see the resolve', async () => {
      const alerts = (await fetch(
        `${alertmanager.url}/api/v2/alerts?filter=tenant%3D%22${encodeURIComponent(tenant)}%22`,
      ).then((r) => r.json())) as unknown[];
      return alerts.length === 0;
    });
    await settle(700);
    expect(alertsOnTopic(tenant)).toHaveLength(3);
    const deliveries = webhook.received.filter((d) => d.body.alert.tenant === tenant);
    expect(deliveries.map((d) => [d.body.alert.status, d.body.alert.revision, d.verified])).toEqual([
      ['firing', 1, true],
      ['firing', 2, true],
      ['resolved', 3, true],
    ]);
    const listed = await api<{ fingerprint: string; status: string }[]>(
      'GET',
      `/v1/tenants/${tenant}/alerts?status=resolved`,
    );
    expect(listed.map((a) => a.fingerprint)).toEqual([fired.data.fingerprint]);
  });

  it('raises an Entra failure from executor results with its fix, resolved by the next success', async () => {
    const tenant = `${uniqueName('auth')}.onmicrosoft.com`;
    await api('POST', `/v1/tenants/${tenant}/subscriptions`, {
      name: 'critical only, by e-mail',
      minSeverity: 'critical',
      destination: { type: 'email', to: ['oncall@contoso.com'] },
    });
    const failed = exchangeResult(tenant, {
      outcome: 'failed',
      error: {
        code: 'TOKEN_REQUEST_FAILED',
        message: 'AADSTS700027: The certificate … is not registered on application.',
        retriable: false,
      },
    });
    await produce(producer, Topics.ExchangeResult, [
      encodeStructured(failed, tenant),
      encodeStructured(failed, tenant),
    ]);
    const fired = await waitFor('the auth alert', () => alertsOnTopic(tenant)[0]);
    expect(fired.data).toMatchObject({
      kind: 'entra-auth-failed',
      labels: { code: 'AADSTS700027' },
      severity: 'critical',
    });
    expect(fired.data.runbook).toMatch(/Upload the certificate/);

    const path = `/v1/tenants/${tenant}/alerts/${fired.data.fingerprint}`;
    await api('POST', `${path}/acknowledge`, { by: 'oncall@contoso.com' });
    await api('POST', `${path}/silence`, { minutes: 30 });
    expect(await api('GET', path)).toMatchObject({ acknowledgedBy: 'oncall@contoso.com', status: 'firing' });

    await produce(producer, Topics.ExchangeResult, [encodeStructured(exchangeResult(tenant, {}), tenant)]);
    const resolved = await waitFor('the resolve', () => alertsOnTopic(tenant)[1]);
    expect(resolved.data).toMatchObject({ fingerprint: fired.data.fingerprint, status: 'resolved' });

    const mails = await waitFor('an e-mail per state change', () => {
      const mine = smtp.messages.filter((m) => m.includes(tenant));
      return mine.length >= 2 && mine;
    });
    expect(mails.map((m) => /^Subject: (\[\w+\])/m.exec(m)?.[1])).toEqual(['[FIRING]', '[RESOLVED]']);
    expect(mails[0]).toMatch(/AADSTS700027/);

    const metrics = await fetch(`${sut.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /easgate_alert_transitions_total\{kind="entra-auth-failed",severity="critical",transition="fired"\} [1-9]/,
    );
    const openApi = (await fetch(`${sut.url}/docs/openapi.json`).then((r) => r.json())) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openApi.paths)).toEqual(
      expect.arrayContaining([
        '/v1/tenants/{tenant}/alerts',
        '/v1/tenants/{tenant}/subscriptions/{id}/deliveries',
      ]),
    );
  });

  it('raises wipe-degraded for an account-only fallback and wipe-failed for a wipe that failed for good', async () => {
    const tenant = `${uniqueName('wipe')}.onmicrosoft.com`;
    const fallback = exchangeResult(tenant, {
      mailbox: 'outlook-user@contoso.com',
      action: { kind: 'wipe-device', deviceId: 'Outlook5EEC4E94', accountOnly: false },
      outcome: 'applied',
      detail: 'account-only wipe: full wipe unsupported for Outlook (REST) clients',
      wipe: { accountOnly: true, fullWipeUnsupported: true },
      cmdlets: ['Get-MobileDevice', 'Clear-MobileDevice', 'Clear-MobileDevice'],
    });
    const failed = exchangeResult(tenant, {
      mailbox: 'lost-phone@contoso.com',
      action: { kind: 'wipe-device', deviceId: 'ApplLOST0001', accountOnly: false },
      outcome: 'failed',
      error: {
        code: 'EXO_NOT_FOUND',
        message: 'no partnership for device ApplLOST0001 to wipe',
        retriable: false,
      },
      cmdlets: ['Get-MobileDevice'],
    });
    await produce(producer, Topics.ExchangeResult, [
      encodeStructured(fallback, 'k1'),
      encodeStructured(failed, 'k2'),
    ]);
    const alerts = await waitFor('both wipe alerts on the topic', () => {
      const kinds = new Set(alertsOnTopic(tenant).map((a) => a.data.kind));
      return kinds.size >= 2 && alertsOnTopic(tenant);
    });
    expect(alerts.every((a) => a.data.status === 'firing')).toBe(true);
    const listed = await api<{ kind: string; severity: string; labels: Record<string, string> }[]>(
      'GET',
      `/v1/tenants/${tenant}/alerts`,
    );
    expect(listed.map((a) => [a.kind, a.severity, a.labels['deviceId']]).sort()).toEqual([
      ['wipe-degraded', 'warning', 'outlook5eec4e94'],
      ['wipe-failed', 'critical', 'appllost0001'],
    ]);
  });

  it('raises alerts for an open circuit and for dead letters, and for a destination that keeps failing', async () => {
    const tenant = `${uniqueName('ops')}.onmicrosoft.com`;
    await api('POST', `/v1/tenants/${tenant}/subscriptions`, {
      name: 'broken hook',
      minSeverity: 'critical',
      kinds: ['circuit-open'],
      destination: { type: 'webhook', url: 'http://127.0.0.1:9/nothing-listens', secret: WEBHOOK_SECRET },
    });
    const signal = {
      signal: 'circuit',
      service: 'exchange-executor',
      tenant,
      observedAt: new Date().toISOString(),
    } as const;
    await produce(producer, Topics.ServiceHealth, [
      encodeStructured(health({ ...signal, state: 'open', reason: 'five 503s in a row' }), tenant),
    ]);
    await waitFor('the circuit alert', () =>
      alertsOnTopic(tenant).find((a) => a.data.kind === 'circuit-open'),
    );
    const failing = await waitFor('the failing destination alert', () =>
      alertsOnTopic(tenant).find((a) => a.data.kind === 'alert-delivery-failing'),
    );
    expect(failing.data.description).toMatch(/Last error/);

    // An Alertmanager subscribed after the alert fired only gets the re-sends: its failure is noticed too.
    await api('POST', `/v1/tenants/${tenant}/subscriptions`, {
      name: 'gone alertmanager',
      kinds: ['circuit-open'],
      destination: { type: 'alertmanager', url: 'http://127.0.0.1:9' },
    });
    await waitFor('the failing Alertmanager alert', () =>
      alertsOnTopic(tenant).find(
        (a) => a.data.kind === 'alert-delivery-failing' && a.data.labels['destination'] === 'alertmanager',
      ),
    );

    const deadEvent = createCloudEvent({
      source: '//test',
      type: 'io.easgate.test.poison',
      tenant,
      data: { broken: true },
    });
    await produce(producer, deadLetterTopicOf(Topics.ExchangeCommand), [
      {
        ...encodeStructured(deadEvent, tenant),
        headers: {
          'content-type': 'application/cloudevents+json; charset=UTF-8',
          [DeadLetterHeaders.ErrorCode]: 'EVENT_INVALID_DATA',
          [DeadLetterHeaders.OriginalTopic]: Topics.ExchangeCommand,
        },
      },
    ]);
    const dead = await waitFor('the dead-letter alert', () =>
      alertsOnTopic(tenant).find((a) => a.data.kind === 'dead-letters'),
    );
    expect(dead.data.labels).toEqual({ topic: Topics.ExchangeCommand });
    expect(dead.data.description).toMatch(/EVENT_INVALID_DATA/);

    await produce(producer, Topics.ServiceHealth, [
      encodeStructured(health({ ...signal, state: 'closed' }), tenant),
    ]);
    await waitFor('the circuit resolve', () =>
      alertsOnTopic(tenant).find((a) => a.data.kind === 'circuit-open' && a.data.status === 'resolved'),
    );
  });

  it('dead-letters an invalid health signal, which then raises a dead-letter alert for its tenant', async () => {
    const tenant = `${uniqueName('bad')}.onmicrosoft.com`;
    const invalid = createCloudEvent({
      source: '//easgate/exchange-executor',
      type: OpsEventTypes.Health,
      tenant,
      data: { signal: 'circuit', service: 'exchange-executor', tenant, state: 'sideways' },
    });
    await produce(producer, Topics.ServiceHealth, [encodeStructured(invalid, tenant)]);
    const dead = await waitFor('the dead-letter alert', () =>
      alertsOnTopic(tenant).find((a) => a.data.kind === 'dead-letters'),
    );
    expect(dead.data.labels).toEqual({ topic: Topics.ServiceHealth });
    expect(alertsOnTopic(tenant).filter((a) => a.data.kind === 'circuit-open')).toEqual([]);
  });

  it('raises sustained throttling, a backlog and an overdue discovery from health signals, and resolves them', async () => {
    const tenant = `${uniqueName('health')}.onmicrosoft.com`;
    const service = 'exchange-executor';
    const longAgo = new Date(Date.now() - 3 * 3600_000).toISOString();
    await produce(producer, Topics.ServiceHealth, [
      // Throttled since three hours ago: sustained.
      encodeStructured(
        health({
          signal: 'throttling',
          service,
          tenant,
          active: true,
          throttledRequests: 40,
          windowSeconds: 60,
          observedAt: longAgo,
        }),
        tenant,
      ),
      encodeStructured(
        health({
          signal: 'backlog',
          service,
          tenant,
          queue: 'commands',
          depth: 5000,
          oldestAgeSeconds: 10,
          observedAt: longAgo,
        }),
        tenant,
      ),
      // Hourly discovery last completed three hours ago.
      encodeStructured(
        health({
          signal: 'discovery-completed',
          service,
          tenant,
          scanId: 's1',
          intervalSeconds: 3600,
          completedAt: longAgo,
        }),
        tenant,
      ),
    ]);
    const kinds = ['exchange-throttling', 'backlog', 'discovery-overdue'];
    await waitFor('three alerts', () => alertsOnTopic(tenant).length === 3);
    expect(
      alertsOnTopic(tenant)
        .map((a) => a.data.kind)
        .sort(),
    ).toEqual([...kinds].sort());

    const now = new Date().toISOString();
    await produce(producer, Topics.ServiceHealth, [
      encodeStructured(
        health({
          signal: 'throttling',
          service,
          tenant,
          active: false,
          throttledRequests: 0,
          windowSeconds: 60,
          observedAt: now,
        }),
        tenant,
      ),
      encodeStructured(
        health({
          signal: 'backlog',
          service,
          tenant,
          queue: 'commands',
          depth: 0,
          oldestAgeSeconds: 0,
          observedAt: now,
        }),
        tenant,
      ),
      encodeStructured(
        health({
          signal: 'discovery-completed',
          service,
          tenant,
          scanId: 's2',
          intervalSeconds: 3600,
          completedAt: now,
        }),
        tenant,
      ),
    ]);
    await waitFor(
      'three resolves',
      () => alertsOnTopic(tenant).filter((a) => a.data.status === 'resolved').length === 3,
    );
    const firing = await api<unknown[]>('GET', `/v1/tenants/${tenant}/alerts?status=firing`);
    expect(firing).toEqual([]);
  });

  it('raises one alert per changed ActiveSync configuration object, a warning when it opens device access', async () => {
    const tenant = `${uniqueName('drift')}.onmicrosoft.com`;
    const openedDefault = configDrift(tenant, {
      section: 'organization-settings',
      change: 'changed',
      identity: 'Mobile Mailbox Settings',
      before: { DefaultAccessLevel: 'Quarantine' },
      after: { DefaultAccessLevel: 'Allow' },
    });
    const blockRule = configDrift(tenant, {
      section: 'device-access-rules',
      change: 'added',
      identity: 'Android (DeviceOS)',
      after: { AccessLevel: 'Block', Characteristic: 'DeviceOS', QueryString: 'Android 9' },
    });
    await produce(producer, Topics.ExchangeConfigDrift, [
      encodeStructured(openedDefault, tenant),
      encodeStructured(openedDefault, tenant), // a redelivery
      encodeStructured(blockRule, tenant),
    ]);
    await waitFor('two alerts', () => alertsOnTopic(tenant).length === 2);
    const bySection = (section: string) =>
      alertsOnTopic(tenant).filter((a) => a.data.labels['section'] === section);
    expect(bySection('organization-settings').map((a) => [a.data.kind, a.data.severity])).toEqual([
      ['exchange-config-changed', 'warning'],
    ]);
    expect(bySection('organization-settings')[0]?.data.description).toBe(
      'DefaultAccessLevel: "Quarantine" -> "Allow".',
    );
    expect(bySection('device-access-rules').map((a) => [a.data.severity, a.data.summary])).toEqual([
      ['info', "ActiveSync device access rule 'Android (DeviceOS)' was added in Exchange Online"],
    ]);

    // The same rule changed again: the alert is updated, not raised twice.
    await produce(producer, Topics.ExchangeConfigDrift, [
      encodeStructured(
        configDrift(tenant, {
          section: 'device-access-rules',
          change: 'changed',
          identity: 'Android (DeviceOS)',
          before: { QueryString: 'Android 9' },
          after: { QueryString: 'Android 10' },
        }),
        tenant,
      ),
    ]);
    const updated = await waitFor('the rule alert updated', async () => {
      const listed = await api<
        { labels: Record<string, string>; occurrences: number; description: string }[]
      >('GET', `/v1/tenants/${tenant}/alerts?kind=exchange-config-changed&status=firing`);
      return listed.find((a) => a.labels['section'] === 'device-access-rules' && a.occurrences === 2);
    });
    expect(updated.description).toBe(
      'QueryString: "Android 9" -> "Android 10". 2 changes since this alert started.',
    );
    await settle(300);
    expect(alertsOnTopic(tenant)).toHaveLength(2);
  });

  it('refuses unauthenticated calls and invalid subscriptions with a code', async () => {
    const tenant = `${uniqueName('api')}.onmicrosoft.com`;
    expect((await fetch(`${sut.url}/v1/tenants/${tenant}/alerts`)).status).toBe(401);
    const bad = await fetch(`${sut.url}/v1/tenants/${tenant}/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'x',
        destination: { type: 'webhook', url: 'ftp://nope', secret: 'short' },
      }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      code: 'ALERTING_INVALID_REQUEST',
      message: expect.stringMatching(/destination/),
    });
    const toMetadata = await fetch(`${sut.url}/v1/tenants/${tenant}/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'metadata',
        destination: {
          type: 'webhook',
          url: 'http://169.254.169.254/latest/meta-data',
          secret: WEBHOOK_SECRET,
        },
      }),
    });
    expect(toMetadata.status).toBe(400);
    expect(await toMetadata.json()).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED' });
    const missing = await fetch(`${sut.url}/v1/tenants/${tenant}/alerts/0123456789abcdef`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(missing.status).toBe(404);
  });
});
