import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, type Tx } from '@easgate/persistence';
import { createTestDatabase, type TestDatabase } from '@easgate/testing';
import { transactionEndHook } from '../src/infra/transaction-end';

/** What the signing cache relies on: its second eviction runs once the change is visible to every reader. */
describe(transactionEndHook.name, () => {
  describe.each(['sqlite', 'postgres'] as const)('on %s', (kind) => {
    let dir: string;
    let pg: TestDatabase | undefined;
    let db: Database;
    let sut: ReturnType<typeof transactionEndHook>;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'vault-tx-end-'));
      pg = kind === 'postgres' ? await createTestDatabase('vault_tx_end') : undefined;
      db = await Database.open({
        service: 'vault_tx_end',
        ...(pg ? { url: pg.url } : { dataDir: dir }),
        entities: [],
        migrations: [],
      });
      await db.dataSource.query('CREATE TABLE marker (id integer PRIMARY KEY)');
      sut = transactionEndHook(db);
    });

    afterAll(async () => {
      await db?.close();
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Rows of `marker` as a reader outside the transaction sees them. */
    const committedIds = () => db.read((m: Tx) => m.query<{ id: number }[]>('SELECT id FROM marker'));

    it('runs the callback once the transaction has committed, when a reader sees the change', async () => {
      const calls: string[] = [];
      let seenByTheCallback: Promise<{ id: number }[]> | undefined;

      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO marker (id) VALUES (1)');
        sut(tx, () => {
          calls.push('ended');
          seenByTheCallback = committedIds();
        });
        calls.push('work done');
      });

      expect(calls).toEqual(['work done', 'ended']);
      expect((await seenByTheCallback)?.map((r) => Number(r.id))).toContain(1);
    });

    it('runs the callback of every transaction after its commit (SQLite: after the group, not per savepoint)', async () => {
      const events: string[] = [];

      await Promise.all(
        [2, 3, 4].map((id) =>
          db.transaction(async (tx) => {
            await tx.query(`INSERT INTO marker (id) VALUES (${id})`);
            sut(tx, () => events.push(`ended ${id}`));
            events.push(`work ${id}`);
          }),
        ),
      );

      for (const id of [2, 3, 4])
        expect(events.indexOf(`work ${id}`)).toBeLessThan(events.indexOf(`ended ${id}`));
      if (kind === 'sqlite') expect(events.slice(0, 3).every((e) => e.startsWith('work'))).toBe(true);
    });

    it('runs the callback after a rollback as well (SQLite: once the group holding it has ended)', async () => {
      let ended = false;

      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO marker (id) VALUES (5)');
          sut(tx, () => (ended = true));
          throw new Error('abandoned');
        }),
      ).rejects.toThrow('abandoned');
      const ids = (await committedIds()).map((r) => Number(r.id)); // queued behind the SQLite group

      expect(ended).toBe(true);
      expect(ids).not.toContain(5);
    });

    it('runs the callback at once outside a transaction', async () => {
      let ended = false;

      await db.read(async (m: Tx) => {
        sut(m, () => (ended = true));
        await Promise.resolve();
      });

      expect(ended).toBe(true);
    });
  });
});
