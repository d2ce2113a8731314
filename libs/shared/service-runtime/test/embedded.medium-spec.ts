import { createCloudEvent, encodeBinary, encodeStructured } from '@easgate/contracts';
import { type RunningService, startService } from '../src';
import { uniqueName, waitFor } from '@easgate/testing';
import { DeadLetterHeaders, InProcessBus } from '@easgate/messaging';
import {
  DeviceStateEntity,
  DeviceStateTable1764100000001,
  deviceStateModule,
  type HandlerProbe,
} from './support/device-state.fixture';

// The single-machine mode: the same service on the in-process bus and SQLite behaves as on Kafka.
describe('the embedded mode (in-process bus, SQLite)', () => {
  const input = 'test.embedded.report';
  const output = 'test.embedded.state';
  const probe: HandlerProbe = { attempts: new Map() };
  const bus = new InProcessBus(2, 5);
  let sut: RunningService;

  beforeAll(async () => {
    sut = await startService(
      {
        name: 'embedded-test',
        defaultPort: 0,
        entities: [DeviceStateEntity],
        migrations: [DeviceStateTable1764100000001],
        module: () => ({ module: deviceStateModule({ input, output }, probe) }),
      },
      {
        bus,
        dataDir: ':memory:',
        port: 0,
        apiToken: 'embedded-test-token',
        retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 },
      },
    );
  });
  afterAll(async () => {
    await sut.close();
    await bus.close();
  });

  const report = (deviceId: string, state: string) =>
    createCloudEvent({
      id: uniqueName('e'),
      source: '//test',
      type: 'io.easgate.test.report',
      data: { deviceId, state },
    });
  const stateOf = (deviceId: string) =>
    sut.database.read((m) => m.getRepository(DeviceStateEntity).findOneBy({ deviceId }));

  it('handles both content modes once each, publishes through the outbox and dead-letters poison', async () => {
    const twice = report('d1', 'compliant');
    const poison = report('d3', 'poison');
    await bus
      .publisher()
      .publish(input, [
        encodeStructured(twice, 'd1'),
        encodeStructured(twice, 'd1'),
        encodeBinary(report('d2', 'noncompliant'), 'd2'),
        encodeStructured(poison, 'd1'),
      ]);

    await waitFor('d2', () => stateOf('d2'));
    const d1 = await waitFor('d1', () => stateOf('d1'));
    expect(d1.changes).toBe(1);
    const dead = await waitFor('the dead letter', () => bus.read(`${input}.dlq`)[0]);
    expect(dead.headers[DeadLetterHeaders.ErrorCode]).toBe('TEST_ALWAYS_FAILS');
    await waitFor('the outbox events', () => bus.read(output).length === 2);
    expect(await fetch(`${sut.url}/health/ready`).then((r) => r.json())).toMatchObject({
      database: 'sqlite',
    });
  });
});
