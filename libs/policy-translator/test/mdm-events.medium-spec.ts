import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MdmComplianceState, Topics } from '@easgate/contracts';
import { InProcessBus } from '@easgate/messaging';
import { type RunningService, startService } from '@easgate/service-runtime';
import { uniqueName, waitFor } from '@easgate/testing';
import { complianceEvent, MdmEventsController, MdmEventsLimits, policyTranslatorService } from '../src';

const API_TOKEN = 'medium-test-token';
const BATCH = 'application/cloudevents-batch+json';

function anEvent(tenant: string, device: string, sequence = 1, state: MdmComplianceState = 'compliant') {
  return complianceEvent({
    tenant,
    userPrincipalName: `${device}@contoso.com`,
    mdmDeviceId: device,
    easDeviceIds: [`EAS${device.replace(/[^A-Za-z0-9]/g, '')}`],
    state,
    sequence,
    source: '//mdm.medium-test/ingestion',
  });
}

// The ingestion route on the embedded default: the durable in-process bus and SQLite.
describe(MdmEventsController.name, () => {
  let dataDir: string;
  let bus: InProcessBus;
  let service: RunningService;
  let tenant: string;

  const post = (body: string, contentType: string) =>
    fetch(`${service.url}/v1/mdm/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': contentType },
      body,
    });
  const device = async (id: string) => {
    const res = await fetch(`${service.url}/v1/tenants/${tenant}/devices/${id}`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    return res.status === 200
      ? ((await res.json()) as { state: string; lastEvent: { id: string } })
      : undefined;
  };
  const onTopic = (ids: string[]) =>
    bus
      .read(Topics.MdmCompliance)
      .filter((m) => ids.includes((JSON.parse(m.value!.toString()) as { id: string }).id));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'easgate-ingestion-'));
    bus = InProcessBus.durable(join(dataDir, 'bus.sqlite'));
    service = await startService(policyTranslatorService, {
      bus,
      dataDir,
      apiToken: API_TOKEN,
      port: 0,
      env: {},
    });
  });
  beforeEach(() => (tenant = `${uniqueName('t')}.onmicrosoft.com`));
  afterAll(async () => {
    await service.close();
    await bus.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('accepts a CloudEvents batch, keys each event by its device and handles every one', async () => {
    const events = ['d-1', 'd-2', 'd-3'].map((d) => anEvent(tenant, d, 1, 'noncompliant'));

    const res = await post(JSON.stringify(events), BATCH);

    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 3 });
    expect(onTopic(events.map((e) => e.id)).map((m) => m.key)).toEqual(
      expect.arrayContaining(['d-1', 'd-2', 'd-3']),
    );
    for (const event of events)
      expect(await waitFor(`device ${event.subject}`, () => device(event.subject!))).toMatchObject({
        state: 'noncompliant',
        lastEvent: { id: event.id },
      });
  });

  it('accepts one structured event as application/cloudevents+json', async () => {
    const event = anEvent(tenant, 'single');
    const res = await post(JSON.stringify(event), 'application/cloudevents+json; charset=utf-8');
    expect(res.status).toBe(202);
    expect(await waitFor('the device', () => device('single'))).toMatchObject({
      lastEvent: { id: event.id },
    });
  });

  it('rejects a batch with an invalid event whole, naming its index and why', async () => {
    const events: unknown[] = [anEvent(tenant, 'ok-1'), anEvent(tenant, 'ok-2'), anEvent(tenant, 'bad')];
    (events[2] as { data: { state: string } }).data.state = 'shiny';

    const res = await post(JSON.stringify(events), BATCH);

    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('MDM_EVENT_INVALID');
    expect(body.message).toContain('1 of 3 events are invalid, so none was accepted');
    expect(body.message).toContain('events[2]: data.state: state must be one of');
    expect(onTopic(events.map((e) => (e as { id: string }).id))).toEqual([]);
  });

  it('answers 413 PAYLOAD_TOO_LARGE with the limit for a batch body over the byte limit', async () => {
    const padding = 'x'.repeat(MdmEventsLimits.maxBytes);
    const res = await post(JSON.stringify([{ ...anEvent(tenant, 'big'), padding }]), BATCH);
    expect(res.status).toBe(413);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.message).toContain(`over the limit of 4 MiB (${MdmEventsLimits.maxBytes} bytes)`);
  });

  it('answers 413 PAYLOAD_TOO_LARGE for more events than a request may carry', async () => {
    const events = Array.from({ length: MdmEventsLimits.maxEvents + 1 }, () => ({}));
    const res = await post(JSON.stringify(events), BATCH);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining(`over the limit of ${MdmEventsLimits.maxEvents}`) as string,
    });
  });

  it('answers 413 PAYLOAD_TOO_LARGE, not 500, for an application/json body over the runtime limit', async () => {
    const perEvent = JSON.stringify(anEvent(tenant, 'json-0')).length;
    const events = Array.from({ length: Math.ceil(MdmEventsLimits.maxJsonBytes / perEvent) + 1 }, (_, i) =>
      anEvent(tenant, `json-${i}`),
    );
    const body = JSON.stringify(events);
    expect(body.length).toBeGreaterThan(MdmEventsLimits.maxJsonBytes);
    expect(body.length).toBeLessThan(MdmEventsLimits.maxBytes);
    const res = await post(body, 'application/json');
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining(`limit of ${MdmEventsLimits.maxJsonBytes} bytes`) as string,
    });
  });

  it('answers 415 for a media type it does not take', async () => {
    const res = await post('state=compliant', 'text/plain');
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ code: 'MDM_UNSUPPORTED_MEDIA_TYPE' });
  });

  it('states in its OpenAPI description that 202 means stored', async () => {
    const doc = (await (await fetch(`${service.url}/docs/openapi.json`)).json()) as {
      paths: Record<string, { post: { description: string } }>;
    };
    expect(doc.paths['/v1/mdm/events'].post.description).toContain('**202 means stored.**');
  });

  it('answers 400 for a batch body that is not JSON', async () => {
    const res = await post('[{', BATCH);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'TRANSLATOR_INVALID_REQUEST' });
  });

  it('handles every one of 10,000 events sent in batches', async () => {
    const devices = Array.from({ length: 5_000 }, (_, i) => `load-${i}`);
    const first = devices.map((d) => anEvent(tenant, d, 1, 'noncompliant'));
    const newest = devices.map((d) => anEvent(tenant, d, 2, 'compliant'));
    const events = [...first, ...newest];

    for (let i = 0; i < events.length; i += 1_000) {
      const res = await post(JSON.stringify(events.slice(i, i + 1_000)), BATCH);
      expect(res.status).toBe(202);
    }

    // Each device ends on its newest event, which its partition delivers after the first one. Once
    // there, it stays: so each poll checks only the first few devices still pending. The wait fails
    // when handling stalls, not when a busy machine is slow.
    let pending = newest;
    let progressAt = Date.now();
    while (pending.length > 0 && Date.now() - progressAt < 60_000) {
      const chunk = pending.slice(0, 50);
      const states = await Promise.all(chunk.map((e) => device(e.subject!)));
      const done = new Set(
        chunk.filter((e, i) => states[i]?.lastEvent.id === e.id && states[i]?.state === 'compliant'),
      );
      if (done.size > 0) progressAt = Date.now();
      else await new Promise((r) => setTimeout(r, 200));
      pending = pending.filter((e) => !done.has(e));
    }
    expect(pending).toEqual([]);
  }, 1_200_000);
});
