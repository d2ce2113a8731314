import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '@easgate/persistence';
import { createTestDatabase, type TestDatabase } from '@easgate/testing';
import { exchangeExecutorService } from '../src';
import { CommandLogRepository } from '../src/infra/persistence/command-log.repository';
import { ExecutorPendingIndexes1764300000003 } from '../src/infra/persistence/executor-pending-indexes.migration';

/** A command log on PostgreSQL or SQLite with a few pending and completed commands for `key`. */
async function aCommandLog(db: Database, key: string): Promise<CommandLogRepository> {
  const log = new CommandLogRepository(db);
  for (let i = 0; i < 3; i++) {
    const commandId = randomUUID();
    await db.transaction((tx) =>
      log.acceptMany(tx, [
        {
          mailboxKey: key,
          command: {
            commandId,
            tenant: 'contoso.com',
            mailbox: key.split('/')[1],
            action: { kind: 'block-device', deviceId: `ApplINDEX000${i}` },
            reason: 'test',
            requestedBy: 'test',
            requestedAt: new Date().toISOString(),
          },
          origin: { id: commandId, source: 'test', type: 'test', time: new Date().toISOString() },
        },
      ]),
    );
  }
  return log;
}

const PENDING_SCAN = (p: string) =>
  `SELECT seq FROM exchange_command_log c WHERE c.mailbox_key = ${p} AND c.status = 'pending' ORDER BY c.seq LIMIT 500`;

describe(ExecutorPendingIndexes1764300000003.name, () => {
  const definition = exchangeExecutorService();

  describe('on PostgreSQL', () => {
    let testDb: TestDatabase;
    let db: Database;

    beforeAll(async () => {
      testDb = await createTestDatabase();
      db = await Database.open({
        service: 'index-test',
        url: testDb.url,
        entities: definition.entities,
        migrations: definition.migrations,
      });
    });

    afterAll(async () => {
      await db.close();
      await testDb.drop();
    });

    it("reads a mailbox's pending commands through the partial index of pending rows", async () => {
      const key = `contoso.com/${randomUUID()}@contoso.com`;
      const sut = await aCommandLog(db, key);
      const [first] = await sut.pendingFor(key, 500);
      await db.transaction((tx) =>
        sut.completeMany(tx, [
          {
            seq: first.seq,
            status: 'applied',
            result: {
              commandId: first.command.commandId,
              tenant: first.command.tenant,
              action: first.command.action,
              outcome: 'applied',
              cmdlets: ['Set-CASMailbox'],
              attempts: 1,
              completedAt: new Date().toISOString(),
            },
          },
        ]),
      );

      expect((await sut.pendingFor(key, 500)).map((p) => p.seq)).toHaveLength(2);
      expect(await sut.hasPending(key)).toBe(true);
      expect(await sut.backlogByTenant()).toEqual([
        expect.objectContaining({ tenant: 'contoso.com', depth: 2 }),
      ]);
      const plan = await db.transaction(async (tx) => {
        // A few rows make a sequential scan cheapest: ask what the planner does when it must choose an index.
        await tx.query('SET LOCAL enable_seqscan = off');
        return tx.query<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${PENDING_SCAN('$1')}`, [key]);
      });
      expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain(
        'exchange_command_log_pending_by_mailbox',
      );
    });
  });

  describe('on SQLite', () => {
    let dir: string;
    let db: Database;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'executor-index-'));
      db = await Database.open({
        service: 'index-test',
        dataDir: dir,
        entities: definition.entities,
        migrations: definition.migrations,
      });
    });

    afterAll(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("reads a mailbox's pending commands through the partial index of pending rows", async () => {
      const key = `contoso.com/${randomUUID()}@contoso.com`;
      const sut = await aCommandLog(db, key);

      expect(await sut.pendingFor(key, 500)).toHaveLength(3);
      const plan = await db.read((m) =>
        m.query<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${PENDING_SCAN('?')}`, [key]),
      );
      expect(plan.map((r) => r.detail).join('\n')).toContain('exchange_command_log_pending_by_mailbox');
    });
  });
});
