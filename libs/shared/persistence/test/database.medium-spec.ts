import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { Database, SQLITE_TUNING, type Tx } from '../src';

class NotesTable1700000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE note (id TEXT PRIMARY KEY)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE note');
  }
}

const insert = (tx: Tx, id: string) => tx.query('INSERT INTO note (id) VALUES (?)', [id]);

describe(Database.name, () => {
  describe('on SQLite', () => {
    let dir: string;
    let sut: Database;
    /** Another connection to the same file: sees only what was committed. */
    let observer: BetterSqlite3.Database;
    const committed = () =>
      (observer.prepare('SELECT id FROM note ORDER BY id').all() as { id: string }[]).map((r) => r.id);

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'easgate-database-'));
      sut = await Database.open({
        service: 'database-test',
        dataDir: dir,
        entities: [],
        migrations: [NotesTable1700000000000],
      });
      observer = new BetterSqlite3(join(dir, 'database-test.sqlite'), { readonly: true });
    });

    afterEach(async () => {
      observer.close();
      await sut.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('commits the transactions queued together as one group: none is visible before the last has run', async () => {
      const seenByOthers: string[][] = [];
      const queued = ['a', 'b', 'c'].map((id) =>
        sut.transaction(async (tx) => {
          await insert(tx, id);
          seenByOthers.push(committed());
          return id;
        }),
      );

      await expect(Promise.all(queued)).resolves.toEqual(['a', 'b', 'c']);

      expect(seenByOthers).toEqual([[], [], []]);
      expect(committed()).toEqual(['a', 'b', 'c']);
    });

    it('rolls back a failing transaction of a group alone: it rejects with its error, the others are kept', async () => {
      const results = await Promise.allSettled([
        sut.transaction((tx) => insert(tx, 'a')),
        sut.transaction(async (tx) => {
          await insert(tx, 'b');
          throw new Error('b fails after its insert');
        }),
        sut.transaction((tx) => insert(tx, 'c')),
      ]);

      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('b fails after its insert'));
      expect(committed()).toEqual(['a', 'c']);
    });

    it('rejects every transaction of a group that SQLite ended under it (as on a full disk), keeping none; the next ones start a new group', async () => {
      const results = await Promise.allSettled([
        sut.transaction((tx) => insert(tx, 'a')),
        sut.transaction(async (tx) => {
          await insert(tx, 'b');
          // What SQLite does by itself on SQLITE_FULL or an I/O error: the whole transaction is gone.
          await tx.query('ROLLBACK');
        }),
        sut.transaction((tx) => insert(tx, 'c')),
      ]);

      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
      expect(committed()).toEqual(['c']);
      await sut.transaction((tx) => insert(tx, 'd'));
      expect(committed()).toEqual(['c', 'd']);
    });

    it('runs a read queued between transactions outside any group: it sees what committed before it, nothing after', async () => {
      const first = sut.transaction((tx) => insert(tx, 'a'));
      const read = sut.read((m) => m.query<{ n: number }[]>('SELECT count(*) AS n FROM note'));
      const second = sut.transaction((tx) => insert(tx, 'b'));

      await Promise.all([first, second]);

      expect(await read).toEqual([{ n: 1 }]);
      expect(committed()).toEqual(['a', 'b']);
    });

    it('opens SQLite with the embedded tuning: durable commits, a 64 MiB cache, a checkpoint every 16,384 WAL pages', async () => {
      const pragma = (name: string) =>
        sut.read(
          async (m) => Object.values((await m.query<Record<string, unknown>[]>(`PRAGMA ${name}`))[0])[0],
        );

      expect(SQLITE_TUNING).toEqual({ cacheMb: 64, walAutocheckpointPages: 16_384, synchronous: 'full' });
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(2);
      expect(await pragma('cache_size')).toBe(-65_536);
      expect(await pragma('wal_autocheckpoint')).toBe(16_384);
    });
  });

  it('takes another SQLite tuning when asked: synchronous = NORMAL shows in PRAGMA synchronous', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'easgate-database-'));
    const sut = await Database.open({
      service: 'database-tuned',
      dataDir: dir,
      entities: [],
      migrations: [],
      sqlite: { synchronous: 'normal', cacheMb: 8, walAutocheckpointPages: 1_000 },
    });
    try {
      const [synchronous, cache, checkpoint] = await sut.read((m) =>
        Promise.all(
          ['synchronous', 'cache_size', 'wal_autocheckpoint'].map(
            async (name) => Object.values((await m.query<Record<string, unknown>[]>(`PRAGMA ${name}`))[0])[0],
          ),
        ),
      );
      expect([synchronous, cache, checkpoint]).toEqual([1, -8_192, 1_000]);
    } finally {
      await sut.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
