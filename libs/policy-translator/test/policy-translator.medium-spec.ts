import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  allTopics,
  createCloudEvent,
  deadLetterTopicOf,
  encodeBinary,
  encodeStructured,
  ExchangeCommandV1,
  ExchangeEventTypes,
  type ExchangeInventoryV1,
  type ExchangeResultV1,
  type KafkaRecord,
  mailboxKey,
  type MdmComplianceState,
  Topics,
} from '@easgate/contracts';
import { DeadLetterHeaders, KafkaBus } from '@easgate/messaging';
import { type RunningService, startService } from '@easgate/service-runtime';
import {
  createTestDatabase,
  createTopics,
  settle,
  type TestDatabase,
  testBrokers,
  testKafka,
  TopicRecorder,
  uniqueName,
  waitFor,
} from '@easgate/testing';
import type { Producer } from 'kafkajs';
import { complianceEvent, policyTranslatorService } from '../src';

const API_TOKEN = 'medium-test-token';

function aTenant(): string {
  return `${uniqueName('t')}.onmicrosoft.com`;
}

interface Verdict {
  tenant: string;
  device: string;
  upn?: string;
  eas?: string[];
  state: MdmComplianceState;
  sequence?: number;
  id?: string;
}

function verdict(v: Verdict) {
  return complianceEvent({
    tenant: v.tenant,
    userPrincipalName: v.upn ?? `${v.device}@contoso.com`,
    mdmDeviceId: v.device,
    easDeviceIds: v.eas ?? [`EAS${v.device.replace(/[^A-Za-z0-9]/g, '')}`],
    state: v.state,
    ...(v.sequence !== undefined && { sequence: v.sequence }),
    ...(v.id !== undefined && { id: v.id }),
    source: '//mdm.medium-test/customer/1',
  });
}

async function produce(producer: Producer, topic: string, records: KafkaRecord[]): Promise<void> {
  await producer.send({
    topic,
    messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
  });
}

async function startTranslator(
  db: TestDatabase,
  group: string,
  source = '//easgate/policy-translator',
): Promise<{ service: RunningService; bus: KafkaBus }> {
  const bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('translator') });
  const service = await startService(policyTranslatorService, {
    bus,
    databaseUrl: db.url,
    dataDir: mkdtempSync(join(tmpdir(), 'translator-')),
    apiToken: API_TOKEN,
    port: 0,
    consumerGroup: group,
    fromBeginning: false,
    // Every translator of this file sees every MDM event: each signs its commands with its own source.
    env: { TRANSLATOR_EVENT_SOURCE: source },
  });
  return { service, bus };
}

describe('policy-translator on Kafka and PostgreSQL', () => {
  let db: TestDatabase;
  let translator: { service: RunningService; bus: KafkaBus };
  let recorder: TopicRecorder;
  let producer: Producer;

  const commandsOf = (tenant: string, source = '//easgate/policy-translator') =>
    recorder
      .on(Topics.ExchangeCommand)
      .map((r) => ({
        key: r.key,
        event: JSON.parse(r.value!.toString()) as { source: string; data: unknown },
      }))
      .filter(({ event }) => event.source === source)
      .map(({ key, event }) => ({ key, command: ExchangeCommandV1.parse(event.data) }))
      .filter((c) => c.command.tenant === tenant);
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${translator.service.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json', ...init.headers },
    });

  /** What a tenant that wants full wipes configures (allowFullWipe is off by default). */
  const allowFullWipes = async (tenant: string) => {
    const current = (await (await api(`/v1/tenants/${tenant}/rules`)).json()) as {
      version: number;
      rules: Record<string, unknown>;
    };
    const put = await api(`/v1/tenants/${tenant}/rules`, {
      method: 'PUT',
      body: JSON.stringify({
        rules: { ...current.rules, allowFullWipe: true },
        expectedVersion: current.version,
      }),
    });
    expect(put.status).toBe(200);
  };

  /**
   * A new group that starts at the latest offset fixes that offset on its first fetch, which can
   * come after startService resolved: repeat a harmless verdict until the translator has read one.
   */
  async function warmUp(tenant: string, source?: string): Promise<void> {
    let sequence = 0;
    await waitFor(
      'the warm-up command',
      async () => {
        if (commandsOf(tenant, source).length === 1) return true;
        const event = verdict({ tenant, device: 'warm-up', state: 'compliant', sequence: ++sequence });
        await produce(producer, Topics.MdmCompliance, [encodeBinary(event, 'warm-up')]);
        return false;
      },
      { intervalMs: 300 },
    );
  }

  beforeAll(async () => {
    await createTopics(allTopics());
    db = await createTestDatabase();
    translator = await startTranslator(db, uniqueName('policy-translator'));
    recorder = await TopicRecorder.start([Topics.ExchangeCommand, deadLetterTopicOf(Topics.MdmCompliance)]);
    producer = testKafka().producer();
    await producer.connect();
    await warmUp(aTenant());
  });

  afterAll(async () => {
    await producer?.disconnect();
    await recorder?.stop();
    await translator?.service.close();
    await translator?.bus.close();
    await db?.drop();
  });

  it('turns a structured-mode compliant event into an allow-device command keyed by mailbox', async () => {
    const tenant = aTenant();
    const event = verdict({ tenant, device: 'ipad1', state: 'compliant', upn: 'Ada@Contoso.com' });
    await produce(producer, Topics.MdmCompliance, [encodeStructured(event, 'ipad1')]);

    const [sent] = await waitFor(
      'the allow command',
      () => commandsOf(tenant).length === 1 && commandsOf(tenant),
    );
    expect(sent.key).toBe(mailboxKey(tenant, 'ada@contoso.com'));
    expect(sent.command).toMatchObject({
      mailbox: 'ada@contoso.com',
      action: { kind: 'allow-device', deviceId: 'EASipad1' },
      cause: { id: event.id, type: 'io.easgate.mdm.device.compliance' },
    });
  });

  it('turns a binary-mode noncompliant event into a block-device command', async () => {
    const tenant = aTenant();
    await produce(producer, Topics.MdmCompliance, [
      encodeBinary(verdict({ tenant, device: 'phone1', state: 'noncompliant' }), 'phone1'),
    ]);

    await waitFor('the block command', () => commandsOf(tenant).length === 1);
    expect(commandsOf(tenant)[0].command.action).toEqual({ kind: 'block-device', deviceId: 'EASphone1' });
  });

  it('applies a duplicate once and never moves a device back for an older event', async () => {
    const tenant = aTenant();
    const newer = verdict({ tenant, device: 'd1', state: 'noncompliant', sequence: 2 });
    const older = verdict({ tenant, device: 'd1', state: 'compliant', sequence: 1 });
    await produce(producer, Topics.MdmCompliance, [
      encodeStructured(newer, 'd1'),
      encodeBinary(newer, 'd1'),
      encodeStructured(older, 'd1'),
      encodeStructured(newer, 'd1'),
    ]);

    const explained = await waitFor('all four deliveries handled', async () => {
      const res = await api(`/v1/tenants/${tenant}/devices/d1/explain`);
      const body = (await res.json()) as { events: { outcome: string }[]; desired: { state: string } };
      return res.status === 200 && body.events.length === 2 && body;
    });
    await settle(500);
    expect(commandsOf(tenant).map((c) => c.command.action)).toEqual([
      { kind: 'block-device', deviceId: 'EASd1' },
    ]);
    expect(explained.desired.state).toBe('noncompliant');
    expect(explained.events.map((e) => e.outcome).sort()).toEqual(['applied', 'stale']);
  });

  it('allows the new EAS id and retires the old one when a device reports a new id', async () => {
    const tenant = aTenant();
    await produce(producer, Topics.MdmCompliance, [
      encodeStructured(
        verdict({ tenant, device: 'd2', eas: ['OLD1'], state: 'compliant', sequence: 1 }),
        'd2',
      ),
      encodeStructured(
        verdict({ tenant, device: 'd2', eas: ['NEW1'], state: 'compliant', sequence: 2 }),
        'd2',
      ),
    ]);

    await waitFor('three commands', () => commandsOf(tenant).length === 3);
    expect(commandsOf(tenant).map((c) => c.command.action)).toEqual([
      { kind: 'allow-device', deviceId: 'OLD1' },
      { kind: 'allow-device', deviceId: 'NEW1' },
      { kind: 'quarantine-device', deviceId: 'OLD1' },
    ]);
  });

  it('dead-letters malformed events with a reason that names the field', async () => {
    const tenant = aTenant();
    const good = verdict({ tenant, device: 'bad1', state: 'compliant' });
    const key = uniqueName('bad');
    await produce(producer, Topics.MdmCompliance, [
      encodeStructured({ ...good, data: { ...good.data, state: 'happy', easDeviceIds: 'x' } }, key),
      encodeStructured({ ...good, type: 'com.vendor.other' }, key),
      { key, value: Buffer.from('{not json'), headers: { 'content-type': 'application/cloudevents+json' } },
      encodeStructured({ ...good, subject: 'someone-else' }, key),
    ]);

    const letters = await waitFor('four dead letters', () => {
      const found = recorder.on(deadLetterTopicOf(Topics.MdmCompliance)).filter((r) => r.key === key);
      return found.length === 4 && found;
    });
    const reasons = letters.map((l) => [
      l.headers[DeadLetterHeaders.ErrorCode],
      l.headers[DeadLetterHeaders.Reason],
    ]);
    expect(reasons[0][0]).toBe('EVENT_INVALID_DATA');
    expect(reasons[0][1]).toContain('data.state: state must be one of enrolled');
    expect(reasons[0][1]).toContain('data.easDeviceIds');
    expect(reasons[1]).toEqual([
      'EVENT_UNEXPECTED_TYPE',
      expect.stringContaining('io.easgate.mdm.device.compliance'),
    ]);
    expect(reasons[2][0]).toBe('EVENT_INVALID_JSON');
    expect(reasons[3]).toEqual(['MDM_SUBJECT_MISMATCH', expect.stringContaining('data.mdmDeviceId')]);
    expect(letters[0].headers[DeadLetterHeaders.OriginalTopic]).toBe(Topics.MdmCompliance);
    expect(commandsOf(tenant)).toEqual([]);
  });

  it('versions rules behind authentication, previews a change, and re-decides devices when it applies', async () => {
    const tenant = aTenant();
    await produce(producer, Topics.MdmCompliance, [
      encodeStructured(verdict({ tenant, device: 'lost1', state: 'lost' }), 'lost1'),
    ]);
    await waitFor('the block command', () => commandsOf(tenant).length === 1);
    const current = (await (await api(`/v1/tenants/${tenant}/rules`)).json()) as {
      version: number;
      rules: { states: Record<string, unknown> };
    };
    const rules = {
      ...current.rules,
      allowFullWipe: true,
      states: { ...current.rules.states, lost: { access: 'block', action: 'full-wipe' } },
    };

    const unauthenticated = await fetch(`${translator.service.url}/v1/tenants/${tenant}/rules`);
    const preview = (await (
      await api(`/v1/tenants/${tenant}/rules/preview`, { method: 'POST', body: JSON.stringify({ rules }) })
    ).json()) as {
      devicesChanging: number;
    };
    const invalid = await api(`/v1/tenants/${tenant}/rules`, {
      method: 'PUT',
      body: JSON.stringify({ rules: { states: {} } }),
    });
    const put = await api(`/v1/tenants/${tenant}/rules`, {
      method: 'PUT',
      body: JSON.stringify({ rules, expectedVersion: 0 }),
    });
    const conflict = await api(`/v1/tenants/${tenant}/rules`, {
      method: 'PUT',
      body: JSON.stringify({ rules, expectedVersion: 0 }),
    });

    expect(unauthenticated.status).toBe(401);
    expect(current.version).toBe(0);
    expect(preview.devicesChanging).toBe(1);
    expect(invalid.status).toBe(400);
    expect(await put.json()).toEqual({ version: 1, devicesChanged: 1, commands: 1 });
    expect(conflict.status).toBe(409);
    await waitFor('the wipe command', () => commandsOf(tenant).length === 2);
    expect(commandsOf(tenant)[1].command.action).toEqual({
      kind: 'wipe-device',
      deviceId: 'EASlost1',
      accountOnly: false,
    });
  });

  it('sends a full-wipe verdict as an account-only wipe unless the tenant enabled full wipe, with its cause', async () => {
    const tenant = aTenant();
    const id = randomUUID();
    await produce(producer, Topics.MdmCompliance, [
      encodeStructured(verdict({ tenant, device: 'forged1', state: 'full-wipe', id }), 'forged1'),
    ]);
    await waitFor('the wipe command', () =>
      commandsOf(tenant).some((c) => c.command.action.kind === 'wipe-device'),
    );
    const wipe = commandsOf(tenant).find((c) => c.command.action.kind === 'wipe-device')!;

    expect(wipe.command.action).toEqual({ kind: 'wipe-device', deviceId: 'EASforged1', accountOnly: true });
    expect(wipe.command.cause).toMatchObject({ id });
    expect(wipe.command.reason).toContain('allowFullWipe is off');
  });

  it('quarantines inventory devices no MDM reported once the tenant enables it', async () => {
    const tenant = aTenant();
    const rules = (await (await api(`/v1/tenants/${tenant}/rules`)).json()) as {
      rules: Record<string, unknown>;
    };
    await api(`/v1/tenants/${tenant}/rules`, {
      method: 'PUT',
      body: JSON.stringify({ rules: { ...rules.rules, autoQuarantine: { enabled: true, graceMinutes: 0 } } }),
    });
    await produce(producer, Topics.MdmCompliance, [
      encodeStructured(
        verdict({ tenant, device: 'known', upn: 'bo@contoso.com', eas: ['KNOWN1'], state: 'compliant' }),
        'known',
      ),
    ]);
    await waitFor('the allow command', () => commandsOf(tenant).length === 1);
    const inventory: ExchangeInventoryV1 = {
      tenant,
      scanId: 'scan-1',
      mailbox: 'bo@contoso.com',
      activeSyncEnabled: true,
      allowedDeviceIds: ['KNOWN1', 'STRANGER1'],
      blockedDeviceIds: [],
      mailboxPolicy: null,
      devices: [
        { deviceId: 'KNOWN1', accessState: 'Allowed' },
        { deviceId: 'STRANGER1', accessState: 'Allowed' },
      ],
      observedAt: new Date().toISOString(),
    };
    const event = createCloudEvent({
      source: '//easgate/exchange-executor',
      type: ExchangeEventTypes.Inventory,
      tenant,
      data: inventory,
    });
    await produce(producer, Topics.ExchangeInventory, [
      encodeStructured(event, mailboxKey(tenant, 'bo@contoso.com')),
    ]);

    await waitFor('the quarantine command', () => commandsOf(tenant).length === 2);
    expect(commandsOf(tenant)[1].command.action).toEqual({
      kind: 'quarantine-device',
      deviceId: 'STRANGER1',
    });
  });

  it('ignores the late result of an allow a block overtook: the next compliant verdict allows again', async () => {
    const tenant = aTenant();
    await produce(producer, Topics.MdmCompliance, [
      encodeStructured(verdict({ tenant, device: 'l1', state: 'compliant', sequence: 1 }), 'l1'),
    ]);
    await waitFor('the allow command', () => commandsOf(tenant).length === 1);
    await produce(producer, Topics.MdmCompliance, [
      encodeStructured(verdict({ tenant, device: 'l1', state: 'noncompliant', sequence: 2 }), 'l1'),
    ]);
    const [allow, block] = await waitFor(
      'the block command',
      () => commandsOf(tenant).length === 2 && commandsOf(tenant),
    );
    expect(block.command.action).toEqual({ kind: 'block-device', deviceId: 'EASl1' });
    // The allow's result arrives only now, after the block was sent.
    const late: ExchangeResultV1 = {
      commandId: allow.command.commandId,
      tenant,
      mailbox: allow.command.mailbox,
      action: allow.command.action,
      outcome: 'applied',
      cmdlets: ['Set-CASMailbox'],
      attempts: 1,
      completedAt: new Date().toISOString(),
    };
    await produce(producer, Topics.ExchangeResult, [
      encodeStructured(
        createCloudEvent({
          source: '//easgate/exchange-executor',
          type: ExchangeEventTypes.Result,
          tenant,
          data: late,
        }),
        allow.key,
      ),
    ]);
    await waitFor('the late result recorded', async () => {
      const body = (await (await api(`/v1/tenants/${tenant}/devices/l1/explain`)).json()) as {
        commands: { commandId: string; outcome?: string }[];
      };
      return body.commands.find((c) => c.commandId === allow.command.commandId)?.outcome === 'applied';
    });
    await produce(producer, Topics.MdmCompliance, [
      encodeStructured(verdict({ tenant, device: 'l1', state: 'compliant', sequence: 3 }), 'l1'),
    ]);
    await waitFor('the allow sent again', () => commandsOf(tenant).length === 3);
    expect(commandsOf(tenant)[2].command.action).toEqual({ kind: 'allow-device', deviceId: 'EASl1' });
  });

  it('re-sends a command the executor reported failed at the next verdict, and explains it', async () => {
    const tenant = aTenant();
    await produce(producer, Topics.MdmCompliance, [
      encodeStructured(verdict({ tenant, device: 'f1', state: 'compliant', sequence: 1 }), 'f1'),
    ]);
    const [first] = await waitFor(
      'the allow command',
      () => commandsOf(tenant).length === 1 && commandsOf(tenant),
    );
    const failed: ExchangeResultV1 = {
      commandId: first.command.commandId,
      tenant,
      mailbox: first.command.mailbox,
      action: first.command.action,
      outcome: 'failed',
      error: { code: 'EXO_THROTTLED', message: 'throttled too long', retriable: true },
      cmdlets: ['Set-CASMailbox'],
      attempts: 5,
      completedAt: new Date().toISOString(),
    };
    const result = createCloudEvent({
      source: '//easgate/exchange-executor',
      type: ExchangeEventTypes.Result,
      tenant,
      data: failed,
    });
    await produce(producer, Topics.ExchangeResult, [encodeStructured(result, first.key)]);
    const explained = await waitFor('the failure recorded', async () => {
      const body = (await (await api(`/v1/tenants/${tenant}/devices/f1/explain`)).json()) as {
        commands: { outcome?: string }[];
        exchange: { devices: { uncertain: boolean }[] };
      };
      // explain reads without a snapshot: wait until both sides of the result's transaction show
      return body.commands[0]?.outcome === 'failed' && body.exchange.devices[0]?.uncertain === true && body;
    });
    await produce(producer, Topics.MdmCompliance, [
      encodeStructured(verdict({ tenant, device: 'f1', state: 'compliant', sequence: 2 }), 'f1'),
    ]);

    await waitFor('the command sent again', () => commandsOf(tenant).length === 2);
    expect(explained.exchange.devices[0].uncertain).toBe(true);
    expect(commandsOf(tenant)[1].command.action).toEqual({ kind: 'allow-device', deviceId: 'EASf1' });
  });

  it('shows each wipe on the device API: requested, then sent account-only with the note, or failed', async () => {
    const tenant = aTenant();
    await allowFullWipes(tenant);
    await produce(producer, Topics.MdmCompliance, [
      encodeStructured(verdict({ tenant, device: 'w1', state: 'full-wipe', sequence: 1 }), 'w1'),
      encodeStructured(verdict({ tenant, device: 'w2', state: 'full-wipe', sequence: 1 }), 'w2'),
    ]);
    const wipes = await waitFor('both wipe commands', () => {
      const sent = commandsOf(tenant).filter((c) => c.command.action.kind === 'wipe-device');
      return sent.length === 2 && sent;
    });
    type Wipes = {
      wipes: { deviceId: string; state: string; requested: string; sent?: string; note?: string }[];
    };
    const wipesOf = async (device: string) =>
      ((await (await api(`/v1/tenants/${tenant}/devices/${device}`)).json()) as Wipes).wipes;
    expect(await wipesOf('w1')).toEqual([
      expect.objectContaining({ deviceId: 'EASw1', state: 'requested', requested: 'full' }),
    ]);

    const resultOf = (command: ExchangeCommandV1, data: Partial<ExchangeResultV1>) =>
      createCloudEvent({
        source: '//easgate/exchange-executor',
        type: ExchangeEventTypes.Result,
        tenant,
        data: {
          commandId: command.commandId,
          tenant,
          mailbox: command.mailbox,
          action: command.action,
          outcome: 'applied',
          cmdlets: ['Get-MobileDevice', 'Clear-MobileDevice', 'Clear-MobileDevice'],
          attempts: 1,
          completedAt: new Date().toISOString(),
          ...data,
        } satisfies ExchangeResultV1,
      });
    const [w1, w2] = [
      wipes.find((w) => w.command.mailbox?.startsWith('w1'))!,
      wipes.find((w) => w.command.mailbox?.startsWith('w2'))!,
    ];
    await produce(producer, Topics.ExchangeResult, [
      encodeStructured(
        resultOf(w1.command, {
          detail: 'account-only wipe: full wipe unsupported for Outlook (REST) clients',
          wipe: { accountOnly: true, fullWipeUnsupported: true },
        }),
        w1.key,
      ),
      encodeStructured(
        resultOf(w2.command, {
          outcome: 'failed',
          cmdlets: ['Get-MobileDevice'],
          error: {
            code: 'EXO_NOT_FOUND',
            message: 'no partnership for device EASw2 to wipe',
            retriable: false,
          },
        }),
        w2.key,
      ),
    ]);
    const [sent] = await waitFor('the wipe sent', async () => {
      const list = await wipesOf('w1');
      return list[0]?.state === 'sent' && list;
    });
    expect(sent).toMatchObject({
      requested: 'full',
      sent: 'account-only',
      note: 'account-only wipe: full wipe unsupported for Outlook (REST) clients',
    });
    const [failed] = await waitFor('the wipe failed', async () => {
      const list = await wipesOf('w2');
      return list[0]?.state === 'failed' && list;
    });
    expect(failed).toMatchObject({ error: { code: 'EXO_NOT_FOUND' } });
  });

  it('neither loses nor repeats a command when stopped mid-stream and restarted', async () => {
    const tenant = aTenant();
    const ownDb = await createTestDatabase();
    const group = uniqueName('policy-translator');
    const source = '//easgate/policy-translator-restarted';
    const sentBy = () => commandsOf(tenant, source);
    let first: { service: RunningService; bus: KafkaBus } | undefined = await startTranslator(
      ownDb,
      group,
      source,
    );
    let second: { service: RunningService; bus: KafkaBus } | undefined;
    try {
      const devices = Array.from({ length: 24 }, (_, i) => `m${i}`);
      const records = (['compliant', 'noncompliant', 'compliant'] as const).flatMap((state, s) =>
        devices.map((device) => encodeBinary(verdict({ tenant, device, state, sequence: s + 1 }), device)),
      );
      await warmUp(tenant, source);
      const send = async (part: KafkaRecord[]) => {
        for (let i = 0; i < part.length; i += 10)
          await produce(producer, Topics.MdmCompliance, part.slice(i, i + 10));
      };
      // A batch consumer handles what is ready at once: the rest of the stream is produced while
      // the first instance stops, so that it stops mid-stream whatever its speed.
      const sending = send(records.slice(0, 30));
      await waitFor('the first commands', () => sentBy().length >= 6, { intervalMs: 5 });
      const stopping = first.service.close();
      const rest = send(records.slice(30));
      await stopping;
      await first.bus.close();
      first = undefined;
      await sending;
      await rest;
      expect(sentBy().length).toBeLessThan(73);
      second = await startTranslator(ownDb, group, source);

      await waitFor('every command', () => sentBy().length >= 73, { timeoutMs: 60_000 });
      await settle(1000);
      const sent = sentBy();
      expect(new Set(sent.map((c) => c.command.commandId)).size).toBe(sent.length);
      for (const device of devices) {
        expect(
          sent.filter((c) => c.command.mailbox === `${device}@contoso.com`).map((c) => c.command.action.kind),
        ).toEqual(['allow-device', 'block-device', 'allow-device']);
      }
    } finally {
      await first?.service.close();
      await first?.bus.close();
      await second?.service.close();
      await second?.bus.close();
      await ownDb.drop();
    }
  });
});
