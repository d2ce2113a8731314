import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCloudEvent } from '@easgate/contracts';
import { Database } from '@easgate/persistence';
import {
  createTestDatabase,
  createTopics,
  type TestDatabase,
  testBrokers,
  TopicRecorder,
  uniqueName,
  waitFor,
  settle,
} from '@easgate/testing';
import {
  createLogger,
  KafkaBus,
  messagingEntities,
  messagingMigrations,
  Outbox,
  OutboxEventEntity,
  OutboxRelay,
} from '../src';

const ROOT = join(__dirname, '../../../..');

describe(OutboxRelay.name, () => {
  const topic = uniqueName('test.outbox');
  let testDb: TestDatabase;
  let db: Database;
  let bus: KafkaBus;
  let recorder: TopicRecorder;
  const idsOn = () => recorder.on(topic).map((r) => JSON.parse(r.value!.toString()).id as string);

  beforeAll(async () => {
    await createTopics([topic]);
    testDb = await createTestDatabase();
    db = await Database.open({
      service: 'outbox-test',
      url: testDb.url,
      entities: messagingEntities,
      migrations: messagingMigrations,
    });
    bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('outbox') });
    recorder = await TopicRecorder.start([topic]);
  });

  afterAll(async () => {
    await recorder?.stop();
    await bus?.close();
    await db?.close();
    await testDb?.drop();
  });

  const event = (id: string) =>
    createCloudEvent({ id, source: '//test', type: 'io.easgate.test.outbox', data: { id } });

  it('publishes an event only once its transaction commits, in order', async () => {
    const sut = new OutboxRelay(db, bus.publisher(), createLogger('test'), { pollIntervalMs: 50 });
    const outbox = new Outbox(sut.notify);
    sut.start();
    try {
      await db.transaction(async (tx) => {
        await outbox.enqueue(tx, topic, 'k', event('first'));
        await outbox.enqueue(tx, topic, 'k', event('second'), 'binary');
      });
      await waitFor('both events', () => idsOn().length >= 1 && recorder.on(topic).length >= 2);
      const [first, second] = recorder.on(topic);
      expect(JSON.parse(first.value!.toString()).id).toBe('first');
      expect(second.headers['ce_id']).toBe('second');
      await waitFor('the rows marked published', async () => (await sut.pendingCount()) === 0);
    } finally {
      await sut.stop();
    }
  });

  it('never publishes an event whose transaction rolled back', async () => {
    const sut = new OutboxRelay(db, bus.publisher(), createLogger('test'), { pollIntervalMs: 50 });
    const outbox = new Outbox(sut.notify);
    sut.start();
    try {
      await expect(
        db.transaction(async (tx) => {
          await outbox.enqueue(tx, topic, 'k', event('rolled-back'));
          throw new Error('the state change failed');
        }),
      ).rejects.toThrow('the state change failed');
      await db.transaction((tx) => outbox.enqueue(tx, topic, 'k', event('after-rollback')));
      await waitFor('the event after the rollback', () => idsOn().includes('after-rollback'));
      await settle(300);
      expect(idsOn()).not.toContain('rolled-back');
      const rows = await db.read((m) => m.getRepository(OutboxEventEntity).count());
      expect(rows).toBe(3);
    } finally {
      await sut.stop();
    }
  });

  it('publishes after a restart an event committed by a process killed before publishing it', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      join(ROOT, 'tools/bin/run-ts.js'),
      join(__dirname, 'support/commit-then-die.ts'),
      testDb.url,
      topic,
      'survived-the-kill',
    ]).catch((err: { stdout: string; signal: string }) => {
      if (err.signal !== 'SIGKILL') throw err;
      return { stdout: err.stdout };
    });
    expect(stdout).toContain('committed');
    await settle(300);
    expect(idsOn()).not.toContain('survived-the-kill');

    const restarted = new OutboxRelay(db, bus.publisher(), createLogger('test'), { pollIntervalMs: 50 });
    restarted.start();
    try {
      await waitFor('the event committed before the kill', () => idsOn().includes('survived-the-kill'));
      expect(idsOn().filter((id) => id === 'survived-the-kill')).toHaveLength(1);
    } finally {
      await restarted.stop();
    }
  });

  it('with two relays on one database, one publishes and the other takes over when it stops, in insertion order', async () => {
    const replicaDb = await Database.open({
      service: 'outbox-test',
      url: testDb.url,
      entities: messagingEntities,
      migrations: messagingMigrations,
    });
    const relays = [db, replicaDb].map(
      (d) => new OutboxRelay(d, bus.publisher(), createLogger('test'), { pollIntervalMs: 20, batchSize: 10 }),
    );
    const outbox = new Outbox();
    const ids = Array.from({ length: 120 }, (_, i) => `ordered-${i}`);
    relays.forEach((r) => r.start());
    try {
      const leader = await waitFor('a leader', () => relays.find((r) => r.leading));
      for (const id of ids.slice(0, 60))
        await db.transaction((tx) => outbox.enqueue(tx, topic, 'one-key', event(id)));
      await leader.stop();
      const standby = relays.find((r) => r !== leader)!;
      for (const id of ids.slice(60))
        await replicaDb.transaction((tx) => outbox.enqueue(tx, topic, 'one-key', event(id)));
      await waitFor(
        'every event',
        () => idsOn().filter((id) => id.startsWith('ordered-')).length >= ids.length,
      );
      expect(standby.leading).toBe(true);
      expect(idsOn().filter((id) => id.startsWith('ordered-'))).toEqual(ids);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await replicaDb.close();
    }
  });

  it("when the leading relay's session dies, the lead is taken again by one relay and order holds", async () => {
    const replicaDb = await Database.open({
      service: 'outbox-test',
      url: testDb.url,
      entities: messagingEntities,
      migrations: messagingMigrations,
    });
    const relays = [db, replicaDb].map(
      (d) => new OutboxRelay(d, bus.publisher(), createLogger('test'), { pollIntervalMs: 20 }),
    );
    relays.forEach((r) => r.start());
    try {
      await waitFor('a leader', () => relays.find((r) => r.leading));
      const advisoryLocks = `FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
      await db.read((m) => m.query(`SELECT pg_terminate_backend(pid) ${advisoryLocks}`));
      // The dead session took the lock with it; one relay (either) takes it again, the other stands by.
      await waitFor('one relay leading again, holding the lock', async () => {
        const [{ n }] = await db.read((m) =>
          m.query<{ n: number }[]>(`SELECT count(*)::int AS n ${advisoryLocks}`),
        );
        return n === 1 && relays.filter((r) => r.leading).length === 1;
      });
      const ids = ['after-takeover-1', 'after-takeover-2', 'after-takeover-3'];
      for (const id of ids) await db.transaction((tx) => new Outbox().enqueue(tx, topic, 'k', event(id)));
      await waitFor('the events after the takeover', () => ids.every((id) => idsOn().includes(id)));
      expect(idsOn().filter((id) => id.startsWith('after-takeover'))).toEqual(ids);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await replicaDb.close();
    }
  });
});
