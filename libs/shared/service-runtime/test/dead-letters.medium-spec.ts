import { createCloudEvent, deadLetterTopicOf, encodeStructured, Topics } from '@easgate/contracts';
import { CallerDirectory, newCaller } from '@easgate/identity';
import { deadLetterRecord, InProcessBus, REPLAY_OF_HEADER } from '@easgate/messaging';
import { Module } from '@nestjs/common';
import { DeadLettersController } from '../src/dead-letters.controller';
import { startService, type RunningService } from '../src/start-service';
import type { ServiceDefinition } from '../src/service-definition';

@Module({})
class EmptyModule {}

/** A service by the name of one that consumes topics: the runtime gives it the dead-letter routes. */
const translatorLike: ServiceDefinition = {
  name: 'policy-translator',
  defaultPort: 0,
  entities: [],
  migrations: [],
  module: () => ({ module: EmptyModule }),
};

describe(DeadLettersController.name, () => {
  const bus = new InProcessBus(1);
  const operator = newCaller({
    id: 'op',
    kind: 'user',
    roles: ['operator'],
    tenants: ['contoso.onmicrosoft.com'],
  });
  const auditor = newCaller({
    id: 'au',
    kind: 'user',
    roles: ['auditor'],
    tenants: ['contoso.onmicrosoft.com'],
  });
  let sut: RunningService;

  const call = async (who: { token: string }, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sut.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${who.token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    sut = await startService(translatorLike, {
      bus,
      dataDir: ':memory:',
      port: 0,
      identity: { callers: CallerDirectory.of([operator.record, auditor.record]) },
    });
    const dead = ['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com'].map((tenant, i) =>
      deadLetterRecord(
        {
          ...encodeStructured(
            createCloudEvent({ source: '//test', type: 'test', subject: `d${i}`, tenant, data: {} }),
            `device-${i}`,
          ),
          topic: Topics.MdmCompliance,
          partition: 0,
          offset: String(i),
          timestamp: '0',
        },
        'easgate-policy-translator',
        { code: 'TRANSLATOR_INVALID_EVENT', message: 'bad verdict', retriable: false, attempts: 1 },
      ),
    );
    await bus.publisher().publish(deadLetterTopicOf(Topics.MdmCompliance), dead);
  });

  afterAll(async () => {
    await sut.close();
    await bus.close();
  });

  it("lists the tenant's dead letters of the topics the service consumes, with why they died", async () => {
    const listed = await call(auditor, 'GET', '/v1/tenants/contoso.onmicrosoft.com/dead-letters');

    expect(listed.status).toBe(200);
    expect(listed.body['topics']).toEqual([
      Topics.MdmCompliance,
      Topics.ExchangeInventory,
      Topics.ExchangeResult,
    ]);
    expect(listed.body['deadLetters']).toEqual([
      expect.objectContaining({
        key: 'device-0',
        tenant: 'contoso.onmicrosoft.com',
        code: 'TRANSLATOR_INVALID_EVENT',
        reason: 'bad verdict',
        originalTopic: Topics.MdmCompliance,
      }),
    ]);
  });

  it('replays for an operator of the tenant, refuses an auditor and another tenant', async () => {
    const byAuditor = await call(
      auditor,
      'POST',
      '/v1/tenants/contoso.onmicrosoft.com/dead-letters/replay',
      {},
    );
    const elsewhere = await call(
      operator,
      'POST',
      '/v1/tenants/fabrikam.onmicrosoft.com/dead-letters/replay',
      {},
    );
    const everyTenant = await call(operator, 'POST', '/v1/dead-letters/replay', {});
    const replayed = await call(
      operator,
      'POST',
      '/v1/tenants/contoso.onmicrosoft.com/dead-letters/replay',
      {},
    );

    expect([byAuditor.body['code'], elsewhere.body['code'], everyTenant.body['code']]).toEqual([
      'FORBIDDEN_ROLE',
      'FORBIDDEN_TENANT',
      'FORBIDDEN_TENANT',
    ]);
    expect(replayed.status).toBe(200);
    expect((replayed.body['replayed'] as { key: string }[]).map((e) => e.key)).toEqual(['device-0']);
    const back = bus.read(Topics.MdmCompliance);
    expect(back.map((r) => [r.key, r.headers[REPLAY_OF_HEADER]])).toEqual([
      ['device-0', `${deadLetterTopicOf(Topics.MdmCompliance)}:0:0`],
    ]);
  });

  it('answers 400 INVALID_REQUEST for a replay body of the wrong shape', async () => {
    const bad = await call(operator, 'POST', '/v1/tenants/contoso.onmicrosoft.com/dead-letters/replay', {
      ids: 'all',
    });

    expect(bad).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST' } });
  });
});
