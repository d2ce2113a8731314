import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCloudEvent } from '@easgate/contracts';
import { Database } from '@easgate/persistence';
import { createTestDatabase, type TestDatabase } from '@easgate/testing';
import {
  bulkInsert,
  createLogger,
  Inbox,
  InProcessBus,
  messagingEntities,
  messagingMigrations,
  Outbox,
  OutboxRelay,
  oneOf,
  ProcessedMessageEntity,
} from '../src';

interface Backend {
  name: string;
  open(): Promise<{ db: Database; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'PostgreSQL',
    open: async () => {
      const testDb: TestDatabase = await createTestDatabase();
      const db = await Database.open({
        service: 'repo-test',
        url: testDb.url,
        entities: messagingEntities,
        migrations: messagingMigrations,
      });
      return {
        db,
        cleanup: async () => {
          await db.close();
          await testDb.drop();
        },
      };
    },
  },
  {
    name: 'SQLite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'easgate-sqlite-'));
      const db = await Database.open({
        service: 'repo-test',
        dataDir: dir,
        entities: messagingEntities,
        migrations: messagingMigrations,
      });
      return {
        db,
        cleanup: async () => {
          await db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

describe.each(backends)('inbox and outbox repositories on $name', (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ db, cleanup } = await backend.open());
  });
  afterAll(() => cleanup());

  const event = (id: string) =>
    createCloudEvent({ id, source: '//test/repo', type: 'io.easgate.test', data: {} });

  it('runs the work of a message once, even when delivered concurrently', async () => {
    const sut = new Inbox(db, 'consumer-a');
    let runs = 0;
    const outcomes = await Promise.all([1, 2, 3].map(() => sut.once(event('e-1'), async () => ++runs)));
    expect(runs).toBe(1);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['duplicate', 'duplicate', 'processed']);
  });

  it('keeps consumers apart: the same message is new to another consumer', async () => {
    const outcome = await new Inbox(db, 'consumer-b').once(event('e-1'), async () => 'done');
    expect(outcome).toEqual({ status: 'processed', result: 'done' });
  });

  it('forgets a message whose work failed, so its redelivery runs the work', async () => {
    const sut = new Inbox(db, 'consumer-a');
    await expect(sut.once(event('e-fail'), async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(await sut.once(event('e-fail'), async () => 'retried')).toEqual({
      status: 'processed',
      result: 'retried',
    });
  });

  it('purges processed-message rows older than the replay window', async () => {
    const sut = new Inbox(db, 'consumer-purge');
    await sut.once(event('old'), async () => undefined);
    expect(await sut.purge(new Date(Date.now() + 1000))).toBe(1);
    expect(
      await db.read((m) => m.getRepository(ProcessedMessageEntity).countBy({ consumer: 'consumer-purge' })),
    ).toBe(0);
  });

  it('relays committed outbox rows in insertion order and marks them published', async () => {
    const bus = new InProcessBus(1);
    const sut = new OutboxRelay(db, bus.publisher(), createLogger('test'));
    const outbox = new Outbox();
    await db.transaction(async (tx) => {
      for (const id of ['o-1', 'o-2', 'o-3']) await outbox.enqueue(tx, 'test.repo.topic', 'k', event(id));
    });
    expect(await sut.pendingCount()).toBe(3);
    expect(await sut.publishPending()).toBe(3);
    expect(await sut.publishPending()).toBe(0);
    expect(
      bus.read('test.repo.topic').map((m) => (JSON.parse(m.value!.toString()) as { id: string }).id),
    ).toEqual(['o-1', 'o-2', 'o-3']);
  });

  it('bulk-inserts rows in the order given with one statement text whatever their count, and matches keys with oneOf', async () => {
    const columns = (['topic', 'message_key', 'value', 'headers', 'created_at'] as const).map((name) => ({
      name,
      type: 'text' as const,
    }));
    const row = (i: number) => ['test.bulk.topic', `k-${i}`, i % 3 === 0 ? null : `it's "${i}"`, '{}', 'now'];
    const statements: string[] = [];
    await db.transaction(async (tx) => {
      const query = tx.query.bind(tx);
      tx.query = ((sql: string, parameters?: unknown[]) => {
        statements.push(sql);
        return query(sql, parameters);
      }) as typeof tx.query;
      await bulkInsert(tx, 'outbox_event', columns, [1, 2, 3].map(row));
      await bulkInsert(tx, 'outbox_event', columns, [4, 5, 6, 7, 8].map(row));
    });
    expect(new Set(statements).size).toBe(1);
    const stored = await db.read((m) => {
      const [where, keys] = oneOf(m, 'message_key', ['k-8', 'k-3', 'k-1', 'k-5'], 1);
      return m.query<{ message_key: string; value: string | null }[]>(
        `SELECT message_key, value FROM outbox_event WHERE ${where} ORDER BY id`,
        [keys],
      );
    });
    expect(stored).toEqual([
      { message_key: 'k-1', value: `it's "1"` },
      { message_key: 'k-3', value: null },
      { message_key: 'k-5', value: `it's "5"` },
      { message_key: 'k-8', value: `it's "8"` },
    ]);
  });
});
