import { randomUUID } from 'node:crypto';
import { Database } from '@easgate/persistence';
import { createTestDatabase, type TestDatabase } from '@easgate/testing';
import { exchangeExecutorService } from '../src';
import { CommandLogRepository } from '../src/infra/persistence/command-log.repository';
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
    const commandId = randomUUID();
    await db.transaction((tx) =>
      log.accept(
        tx,
        key,
        {
          commandId,
          tenant: 'contoso.com',
          mailbox: key.split('/')[1],
          action: { kind: 'allow-device', deviceId: 'ApplLEASE0001' },
          reason: 'test',
          requestedBy: 'test',
          requestedAt: T0.toISOString(),
        },
        { id: commandId, source: 'test', type: 'test', time: T0.toISOString() },
      ),
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

describe(CommandLogRepository.name, () => {
  let testDb: TestDatabase;
  let db: Database;
  let sut: CommandLogRepository;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const definition = exchangeExecutorService();
    db = await Database.open({
      service: 'command-log-test',
      url: testDb.url,
      entities: definition.entities,
      migrations: definition.migrations,
    });
    sut = new CommandLogRepository(db);
  });

  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('keeps the intent of a wipe that failed when its dead letter is replayed, so the replay checks Exchange first', async () => {
    const key = `contoso.com/${randomUUID()}@contoso.com`;
    const commandId = randomUUID();
    const command = {
      commandId,
      tenant: 'contoso.com',
      mailbox: key.split('/')[1],
      action: { kind: 'wipe-device' as const, deviceId: 'ApplWIPE0001', accountOnly: false },
      reason: 'lost',
      requestedBy: 'test',
      requestedAt: T0.toISOString(),
    };
    const origin = { id: commandId, source: 'test', type: 'test', time: T0.toISOString() };
    await db.transaction((tx) => sut.accept(tx, key, command, origin));
    const [pending] = await sut.pendingFor(key, 10);
    await sut.recordIntent(pending.seq, 'sending', T0);
    await db.transaction((tx) =>
      sut.complete(tx, {
        seq: pending.seq,
        status: 'failed',
        result: {
          commandId,
          tenant: 'contoso.com',
          action: command.action,
          outcome: 'failed',
          cmdlets: ['Clear-MobileDevice'],
          attempts: 5,
          completedAt: T0.toISOString(),
        },
      }),
    );

    expect(await db.transaction((tx) => sut.accept(tx, key, command, origin))).toBe(true);
    const [replayed] = await sut.pendingFor(key, 10);
    expect(replayed).toMatchObject({ intent: 'sending', intentAt: T0.toISOString() });
  });
});
