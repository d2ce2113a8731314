import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExchangeCommandV1 } from '@easgate/contracts';
import { Database } from '@easgate/persistence';
import { createTestDatabase, type TestDatabase } from '@easgate/testing';
import { exchangeExecutorService } from '../src';
import { type CommandOrigin, CommandLogRepository } from '../src/infra/persistence/command-log.repository';
import { MailboxLeaseRepository } from '../src/infra/persistence/mailbox-lease.repository';

const T0 = new Date('2026-12-01T01:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

describe(MailboxLeaseRepository.name, () => {
  let testDb: TestDatabase;
  let db: Database;
  let sut: MailboxLeaseRepository;
  let log: CommandLogRepository;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const definition = exchangeExecutorService();
    db = await Database.open({
      service: 'lease-test',
      url: testDb.url,
      entities: definition.entities,
      migrations: definition.migrations,
    });
    sut = new MailboxLeaseRepository(db);
    log = new CommandLogRepository(db);
  });

  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  const pendingCommandFor = async (key: string) => {
    await db.transaction((tx) =>
      log.acceptMany(tx, [{ mailboxKey: key, ...aCommand(key, 'ApplLEASE0001') }]),
    );
  };

  it('lets one instance hold a mailbox until its lease expires, then another takes it over', async () => {
    const key = `contoso.com/${randomUUID()}@contoso.com`;
    expect(await sut.claim(key, 'a', 1000, T0)).toBe(true);
    expect(await sut.claim(key, 'b', 1000, later(500))).toBe(false);
    expect(await sut.claim(key, 'a', 1000, later(900))).toBe(true);
    expect(await sut.claim(key, 'b', 1000, later(1500))).toBe(false);
    expect(await sut.claim(key, 'b', 1000, later(2000))).toBe(true);
    expect(await sut.renew('a', [key], 1000, later(2100))).toEqual([key]);
  });

  it('offers pending mailboxes that are unleased, leased by the asker, or left by a dead holder', async () => {
    const free = `contoso.com/${randomUUID()}@contoso.com`;
    const mine = `contoso.com/${randomUUID()}@contoso.com`;
    const theirs = `contoso.com/${randomUUID()}@contoso.com`;
    const dead = `contoso.com/${randomUUID()}@contoso.com`;
    for (const key of [free, mine, theirs, dead]) await pendingCommandFor(key);
    await sut.claim(mine, 'me', 10_000, T0);
    await sut.claim(theirs, 'other', 10_000, T0);
    await sut.claim(dead, 'gone', 1_000, T0);
    const offered = await sut.claimablePendingKeys('me', later(5_000));
    expect(offered).toEqual(expect.arrayContaining([free, mine, dead]));
    expect(offered).not.toContain(theirs);
  });

  it('gives a mailbox back so that any instance can claim it at once', async () => {
    const key = `contoso.com/${randomUUID()}@contoso.com`;
    await sut.claim(key, 'a', 60_000, T0);
    await sut.release('a', [key]);
    expect(await sut.claim(key, 'b', 60_000, later(1))).toBe(true);
  });
});

/** A device command for the mailbox of `key` (tenant/mailbox) and the CloudEvent it came in. */
function aCommand(
  key: string,
  deviceId: string,
  kind: 'allow-device' | 'wipe-device' = 'allow-device',
): { command: ExchangeCommandV1; origin: CommandOrigin } {
  const commandId = randomUUID();
  return {
    command: {
      commandId,
      tenant: 'Contoso.com',
      mailbox: key.split('/')[1],
      action: kind === 'wipe-device' ? { kind, deviceId, accountOnly: false } : { kind, deviceId },
      reason: 'test',
      requestedBy: 'test',
      requestedAt: T0.toISOString(),
    },
    origin: { id: commandId, source: 'test', type: 'test', time: T0.toISOString() },
  };
}

describe.each([
  ['PostgreSQL', 'postgres'],
  ['SQLite', 'sqlite'],
] as const)(`${CommandLogRepository.name} on %s`, (_name, kind) => {
  let testDb: TestDatabase | undefined;
  let dir: string | undefined;
  let db: Database;
  let sut: CommandLogRepository;

  beforeAll(async () => {
    const definition = exchangeExecutorService();
    const where =
      kind === 'postgres'
        ? { url: (testDb = await createTestDatabase()).url }
        : { dataDir: (dir = mkdtempSync(join(tmpdir(), 'command-log-'))) };
    db = await Database.open({
      service: 'command-log-test',
      ...where,
      entities: definition.entities,
      migrations: definition.migrations,
    });
    sut = new CommandLogRepository(db);
  });

  afterAll(async () => {
    await db.close();
    await testDb?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const aKey = () => `contoso.com/${randomUUID()}@contoso.com`;
  const accept = (key: string, ...commands: { command: ExchangeCommandV1; origin: CommandOrigin }[]) =>
    db.transaction((tx) =>
      sut.acceptMany(
        tx,
        commands.map((c) => ({ mailboxKey: key, ...c })),
      ),
    );
  const fail = async (seq: number, command: ExchangeCommandV1) =>
    db.transaction((tx) =>
      sut.completeMany(tx, [
        {
          seq,
          status: 'failed',
          result: {
            commandId: command.commandId,
            tenant: command.tenant,
            action: command.action,
            outcome: 'failed',
            cmdlets: [],
            attempts: 5,
            completedAt: T0.toISOString(),
          },
        },
      ]),
    );

  it('records a batch as pending in arrival order, each command once however often it comes', async () => {
    const key = aKey();
    const [a, b, c] = ['ApplBULK0001', 'ApplBULK0002', 'ApplBULK0003'].map((id) => aCommand(key, id));
    expect(await accept(key, a)).toEqual([true]);

    expect(await accept(key, b, a, c, b)).toEqual([true, false, true, false]);
    const pending = await sut.pendingFor(key, 10);
    expect(pending.map((p) => p.command)).toEqual([a.command, b.command, c.command]);
    expect(pending.map((p) => p.origin)).toEqual([a.origin, b.origin, c.origin]);
    expect(pending[0]).toMatchObject({ attempts: 0, nextAttemptAt: null, intent: null, intentAt: null });
    expect(await sut.tenantOf(a.command.commandId)).toBe('contoso.com');
    expect(await accept(key)).toEqual([]);
  });

  it('does not record again a command that completed without failing', async () => {
    const key = aKey();
    const done = aCommand(key, 'ApplDONE0001');
    await accept(key, done);
    const [pending] = await sut.pendingFor(key, 10);
    await db.transaction((tx) =>
      sut.completeMany(tx, [
        {
          seq: pending.seq,
          status: 'applied',
          result: {
            commandId: done.command.commandId,
            tenant: done.command.tenant,
            action: done.command.action,
            outcome: 'applied',
            cmdlets: ['Set-CASMailbox'],
            attempts: 1,
            completedAt: T0.toISOString(),
          },
        },
      ]),
    );

    expect(await accept(key, done)).toEqual([false]);
    expect(await sut.hasPending(key)).toBe(false);
    expect(await sut.findByCommandId(done.command.commandId)).toMatchObject({ status: 'applied' });
  });

  it('queues a failed command seen again anew, after what arrived before it, once however often it comes', async () => {
    const key = aKey();
    const failed = aCommand(key, 'ApplFAIL0001');
    const earlier = aCommand(key, 'ApplFAIL0002');
    await accept(key, failed);
    const [first] = await sut.pendingFor(key, 10);
    await fail(first.seq, failed.command);
    await accept(key, earlier);
    const later = aCommand(key, 'ApplFAIL0003');

    expect(await accept(key, failed, later, failed)).toEqual([true, true, false]);
    const pending = await sut.pendingFor(key, 10);
    expect(pending.map((p) => p.command.commandId)).toEqual(
      [earlier, failed, later].map((c) => c.command.commandId),
    );
    expect(pending[1]).toMatchObject({ attempts: 0, intent: null, intentAt: null });
    expect(pending[1].seq).toBeGreaterThan(first.seq);
    expect(await sut.findByCommandId(failed.command.commandId)).toEqual({ status: 'pending', result: null });
  });

  it('marks a pass of commands done in one statement, and leaves alone what is done already', async () => {
    const key = aKey();
    const [a, b] = ['ApplDONE0002', 'ApplDONE0003'].map((id) => aCommand(key, id));
    await accept(key, a, b);
    const [pa, pb] = await sut.pendingFor(key, 10);
    const resultOf = (c: ExchangeCommandV1, outcome: 'applied' | 'skipped', attempts: number) => ({
      commandId: c.commandId,
      tenant: c.tenant,
      action: c.action,
      outcome,
      cmdlets: outcome === 'applied' ? ['Set-CASMailbox'] : [],
      attempts,
      completedAt: later(1).toISOString(),
    });
    const done = [
      { seq: pa.seq, status: 'applied' as const, result: resultOf(a.command, 'applied', 2) },
      { seq: pb.seq, status: 'skipped' as const, result: resultOf(b.command, 'skipped', 0) },
    ];

    expect(await db.transaction((tx) => sut.completeMany(tx, done))).toEqual(new Set([pa.seq, pb.seq]));
    expect(await db.transaction((tx) => sut.completeMany(tx, done))).toEqual(new Set());
    expect(await sut.hasPending(key)).toBe(false);
    expect(await sut.findByCommandId(a.command.commandId)).toEqual({
      status: 'applied',
      result: done[0].result,
    });
    expect(await sut.findByCommandId(b.command.commandId)).toEqual({
      status: 'skipped',
      result: done[1].result,
    });
  });

  it('keeps the intent of a wipe that failed when its dead letter is replayed, so the replay checks Exchange first', async () => {
    const key = aKey();
    const wipe = aCommand(key, 'ApplWIPE0001', 'wipe-device');
    await accept(key, wipe);
    const [pending] = await sut.pendingFor(key, 10);
    await sut.recordIntent(pending.seq, 'sending', T0);
    await fail(pending.seq, wipe.command);

    expect(await accept(key, wipe)).toEqual([true]);
    const [replayed] = await sut.pendingFor(key, 10);
    expect(replayed).toMatchObject({ command: wipe.command, intent: 'sending', intentAt: T0.toISOString() });
  });
});
