import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allTopics, encodeBinary, type MdmComplianceState, Topics } from '@easgate/contracts';
import { KafkaBus } from '@easgate/messaging';
import { type RunningService, startService } from '@easgate/service-runtime';
import {
  createTestDatabase,
  createTopics,
  type TestDatabase,
  testBrokers,
  testKafka,
  uniqueName,
  waitFor,
} from '@easgate/testing';
import type { Producer } from 'kafkajs';
import {
  complianceEvent,
  type DesiredAccess,
  type DeviceDesiredState,
  policyTranslatorService,
} from '../src';
import { TranslatorRepository } from '../src/infra/translator.repository';

const API_TOKEN = 'device-list-token';

interface DevicePage {
  tenant: string;
  total: number;
  next?: string;
  devices: {
    mdmDeviceId: string;
    mailbox: string;
    mdmState: string;
    desiredAccess: string;
    exchangeAccess: { deviceId: string; accessState: string | null; onBlockList: boolean }[];
    lastCommand: { action: string; outcome: string | null; error: string | null } | null;
  }[];
}

const aTenant = () => `${uniqueName('dl')}.onmicrosoft.com`;

function aDevice(tenant: string, n: number, overrides: Partial<DeviceDesiredState> = {}): DeviceDesiredState {
  const state: MdmComplianceState = n % 3 === 0 ? 'noncompliant' : 'compliant';
  const access: DesiredAccess = state === 'noncompliant' ? 'block' : 'allow';
  const id = `dev-${String(n).padStart(4, '0')}`;
  return {
    tenant,
    mdmDeviceId: id,
    mailbox: `user${n}@contoso.com`,
    easDeviceIds: [`EAS${n}`],
    retiredEasDeviceIds: [],
    state,
    reasons: [],
    platform: 'iOS',
    model: 'iPhone',
    access,
    action: 'none',
    rule: state,
    rulesVersion: 0,
    actionIssuedFor: [],
    position: { observedAt: '2026-11-30T10:00:00.000Z' },
    lastEvent: { source: '//mdm.test', id: randomUUID() },
    ...overrides,
  };
}

describe('the policy-translator device list (GET /v1/tenants/:tenant/devices)', () => {
  let db: TestDatabase;
  let bus: KafkaBus;
  let sut: RunningService;
  let producer: Producer;
  const repo = new TranslatorRepository();
  const tenant = aTenant();
  const other = aTenant();

  const list = async (t: string, query: Record<string, string | number> = {}) => {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
    const res = await fetch(`${sut.url}/v1/tenants/${t}/devices?${qs.toString()}`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    return { status: res.status, body: (await res.json()) as DevicePage & { code?: string } };
  };

  beforeAll(async () => {
    await createTopics(allTopics());
    db = await createTestDatabase();
    bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('device-list') });
    sut = await startService(policyTranslatorService, {
      bus,
      databaseUrl: db.url,
      dataDir: mkdtempSync(join(tmpdir(), 'device-list-')),
      apiToken: API_TOKEN,
      port: 0,
      consumerGroup: uniqueName('device-list'),
      fromBeginning: false,
    });
    producer = testKafka().producer();
    await producer.connect();
    await sut.database.transaction(async (tx) => {
      for (let n = 1; n <= 250; n++) await repo.saveDevice(tx, tenant, aDevice(tenant, n));
      for (let n = 1; n <= 5; n++) await repo.saveDevice(tx, other, aDevice(other, n));
      await repo.saveDevice(
        tx,
        tenant,
        aDevice(tenant, 900, { mdmDeviceId: 'odd%id', mailbox: 'percent@contoso.com' }),
      );
      const command = (minutes: number, kind: 'allow-device' | 'block-device') => ({
        commandId: randomUUID(),
        mailbox: 'user3@contoso.com',
        mdmDeviceId: 'dev-0003',
        action: { kind, deviceId: 'EAS3' },
        reason: 'test',
        createdAt: new Date(Date.UTC(2026, 10, 30, 10, minutes)).toISOString(),
      });
      const older = command(1, 'allow-device');
      const newer = command(2, 'block-device');
      await repo.recordCommand(tx, tenant, older);
      await repo.recordCommand(tx, tenant, newer);
      await repo.completeCommand(tx, tenant, newer.commandId, {
        outcome: 'failed',
        completedAt: new Date().toISOString(),
        error: { code: 'THROTTLED', message: 'slow down', retriable: true },
      });
    });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await sut?.close();
    await bus?.close();
    await db?.drop();
  });

  it('pages through every device of the tenant in device id order, and only that tenant', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    const sizes: number[] = [];
    do {
      const { status, body } = await list(tenant, { limit: 100, ...(after && { after }) });
      expect(status).toBe(200);
      expect(body.total).toBe(251);
      sizes.push(body.devices.length);
      seen.push(...body.devices.map((d) => d.mdmDeviceId));
      after = body.next;
    } while (after);
    expect(sizes).toEqual([100, 100, 51]);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(251);
    expect((await list(other)).body.total).toBe(5);
  });

  it('filters by MDM state, desired access and a case-insensitive prefix of the mailbox or device id', async () => {
    const noncompliant = await list(tenant, { state: 'noncompliant', limit: 200 });
    expect(noncompliant.body.total).toBe(83 + 1);
    expect(noncompliant.body.devices.every((d) => d.mdmState === 'noncompliant')).toBe(true);
    const allowed = await list(tenant, { access: 'allow', limit: 1 });
    expect(allowed.body.total).toBe(167);
    expect(allowed.body.devices[0]?.desiredAccess).toBe('allow');
    const byMailbox = await list(tenant, { search: 'USER12' });
    expect(byMailbox.body.devices.map((d) => d.mailbox).sort()).toEqual(
      ['user12@contoso.com', ...Array.from({ length: 10 }, (_, i) => `user12${i}@contoso.com`)].sort(),
    );
    expect((await list(tenant, { search: 'dev-000' })).body.total).toBe(9);
    // % and _ are matched literally, not as wildcards
    expect((await list(tenant, { search: 'odd%' })).body.devices.map((d) => d.mdmDeviceId)).toEqual([
      'odd%id',
    ]);
    expect((await list(tenant, { search: 'dev_' })).body.total).toBe(0);
  });

  it('shows each device’s newest command and its result', async () => {
    const { body } = await list(tenant, { search: 'dev-0003' });
    expect(body.devices[0]?.lastCommand).toEqual(
      expect.objectContaining({ action: 'block-device', outcome: 'failed', error: 'THROTTLED' }),
    );
    expect((await list(tenant, { search: 'dev-0004' })).body.devices[0]?.lastCommand).toBeNull();
  });

  it('answers 400 TRANSLATOR_INVALID_REQUEST for a filter outside the listed values', async () => {
    const queries: Record<string, string | number>[] = [
      { state: 'purple' },
      { access: 'maybe' },
      { limit: 0 },
      { limit: 1000 },
      { extra: 1 },
    ];
    for (const query of queries) {
      const { status, body } = await list(tenant, query);
      expect({ query, status, code: body.code }).toEqual({
        query,
        status: 400,
        code: 'TRANSLATOR_INVALID_REQUEST',
      });
    }
  });

  it('lists a device an MDM reported over Kafka with its state, desired access and command', async () => {
    const fresh = aTenant();
    const event = complianceEvent({
      tenant: fresh,
      userPrincipalName: 'Grace@Contoso.com',
      mdmDeviceId: 'kafka-1',
      easDeviceIds: ['EASkafka1'],
      state: 'noncompliant',
      source: '//mdm.device-list-test',
    });
    const found = await waitFor(
      'the device in the list',
      async () => {
        await producer.send({
          topic: Topics.MdmCompliance,
          messages: [encodeBinary(event, 'kafka-1')].map((r) => ({
            key: r.key,
            value: r.value,
            headers: r.headers,
          })),
        });
        const { body } = await list(fresh, { state: 'noncompliant', access: 'block' });
        return body.devices.length === 1 && body.devices[0];
      },
      { intervalMs: 500 },
    );
    expect(found).toMatchObject({
      mdmDeviceId: 'kafka-1',
      mailbox: 'grace@contoso.com',
      desiredAccess: 'block',
      lastCommand: { action: 'block-device', outcome: null },
    });
  });
});
