import { createTopics, testBrokers, testKafka, uniqueName, waitFor } from '@easgate/testing';
import { KafkaBus } from '../src';

describe(KafkaBus.name, () => {
  const record = (key: string, value: string) => ({ key, value: Buffer.from(value), headers: {} });

  it('commits offset + 1 of what it handled, so the group resumes after it', async () => {
    const topic = uniqueName('test.bus.commit');
    const groupId = uniqueName('bus-commit');
    await createTopics([topic]);
    const sut = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('bus') });
    try {
      await sut.publisher().publish(topic, [record('k', '1'), record('k', '2')]);
      const seen: string[] = [];
      const consumer = await sut.consume(
        { groupId, topics: [topic] },
        async (m) => void seen.push(m.value!.toString()),
      );
      await waitFor('both messages', () => seen.length === 2);
      await consumer.stop();

      const admin = testKafka().admin();
      await admin.connect();
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      await admin.disconnect();
      expect(offsets.partitions[0].offset).toBe('2');
    } finally {
      await sut.close();
    }
  });

  it('starting from the end, still gets what is produced while it is down after a first start', async () => {
    const topic = uniqueName('test.bus.end');
    const groupId = uniqueName('bus-end');
    await createTopics([topic], 3);
    const sut = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('bus') });
    try {
      await sut.publisher().publish(topic, [record('a', 'before-first-start')]);
      const seen: string[] = [];
      const sink = async (m: { value: Buffer | null }) => void seen.push(m.value!.toString());
      const first = await sut.consume({ groupId, topics: [topic], fromBeginning: false }, sink);
      await sut.publisher().publish(topic, [record('a', 'right-after-start')]);
      await waitFor('the message produced right after the start', () => seen.includes('right-after-start'));
      await first.stop();

      // Keys landing on partitions the first run never consumed from.
      await sut.publisher().publish(
        topic,
        ['x', 'y', 'z', 'w'].map((k) => record(k, `while-down-${k}`)),
      );
      const second = await sut.consume({ groupId, topics: [topic], fromBeginning: false }, sink);
      await waitFor(
        'everything produced while down',
        () => seen.filter((v) => v.startsWith('while-down')).length === 4,
      );
      await second.stop();
      expect(seen).not.toContain('before-first-start');
    } finally {
      await sut.close();
    }
  });

  it('a consumer stopped while a message waits gives the message up uncommitted, and the group gets it again', async () => {
    const topic = uniqueName('test.bus.abandon');
    const groupId = uniqueName('bus-abandon');
    await createTopics([topic]);
    const sut = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('bus') });
    try {
      await sut.publisher().publish(topic, [record('k', 'waits-for-its-database')]);
      let waiting = false;
      const first = await sut.consume({ groupId, topics: [topic] }, async (_m, control) => {
        waiting = true;
        // What the delivery pipeline does while the database is down: heartbeats until the consumer stops.
        while (!control!.signal.aborted) {
          await control!.heartbeat();
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error('consumer stopping: the message will be redelivered');
      });
      await waitFor('the message waiting', () => waiting);
      await first.stop();

      const seen: string[] = [];
      const second = await sut.consume(
        { groupId, topics: [topic] },
        async (m) => void seen.push(m.value!.toString()),
      );
      await waitFor('the message redelivered', () => seen.includes('waits-for-its-database'));
      await second.stop();
    } finally {
      await sut.close();
    }
  });

  it('ensureTopics from several services at once creates each topic once, with its layout, and reports a short partition count', async () => {
    const specs = ['a', 'b', 'c'].map((n) => ({
      name: uniqueName(`test.bus.provision-${n}`),
      partitions: 2,
      retentionMs: 3_600_000,
      cleanupPolicy: 'delete' as const,
    }));
    const buses = [1, 2, 3].map(() => new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('bus') }));
    try {
      const results = await Promise.all(
        buses.map((bus) => bus.ensureTopics(specs, { replicationFactor: 1 })),
      );
      expect(new Set(results.flatMap((r) => r.created)).size).toBeLessThanOrEqual(specs.length);
      expect(results.every((r) => r.underPartitioned.length === 0)).toBe(true);
      const states = await buses[0].describeTopics(specs.map((s) => s.name));
      expect(states.map((t) => [t.partitions, t.retentionMs, t.cleanupPolicy])).toEqual(
        specs.map(() => [2, '3600000', 'delete']),
      );

      const wider = await buses[0].ensureTopics([{ ...specs[0], partitions: 6 }]);
      expect(wider.underPartitioned).toEqual([{ name: specs[0].name, partitions: 2, expected: 6 }]);
      expect((await buses[0].describeTopics([specs[0].name]))[0].partitions).toBe(2);
    } finally {
      await Promise.all(buses.map((bus) => bus.close()));
    }
  });
});
