import { randomUUID } from 'node:crypto';
import { type ExchangeCommandV1, ExchangeEventTypes, mailboxKey } from '@easgate/contracts';
import { createLogger, Inbox, messagingEntities, messagingMigrations, Outbox } from '@easgate/messaging';
import { Database } from '@easgate/persistence';
import { createTestDatabase, type TestDatabase, waitFor } from '@easgate/testing';
import { exchangeExecutorService } from '../src';
import { CommandProcessor } from '../src/application/command-processor';
import type { ExchangeClient } from '../src/infra/exchange-client';
import { CommandLogRepository } from '../src/infra/persistence/command-log.repository';
import { MailboxLeaseRepository } from '../src/infra/persistence/mailbox-lease.repository';
import { MailboxSnapshotRepository } from '../src/infra/persistence/mailbox-snapshot.repository';

const TENANT = 'contoso.onmicrosoft.com';
const LEASE_MS = 1000;

interface Call {
  instance: string;
  cmdlet: string;
  identity: string;
  at: number;
}

/** One world per test: a PostgreSQL database shared by the instances, and Exchange as a slow fake. */
interface World {
  testDb: TestDatabase;
  db: Database;
  log: CommandLogRepository;
  leases: MailboxLeaseRepository;
  calls: Call[];
  processors: CommandProcessor[];
}

async function setup(): Promise<World> {
  const testDb = await createTestDatabase();
  const definition = exchangeExecutorService();
  const db = await Database.open({
    service: 'exchange-executor',
    url: testDb.url,
    entities: [...messagingEntities, ...definition.entities],
    migrations: [...messagingMigrations, ...definition.migrations],
  });
  return {
    testDb,
    db,
    log: new CommandLogRepository(db),
    leases: new MailboxLeaseRepository(db),
    calls: [],
    processors: [],
  };
}

async function teardown(world: World): Promise<void> {
  for (const processor of world.processors) await processor.stop();
  await world.db.close();
  await world.testDb.drop();
}

/** An instance: its own processor, on the shared database, calling a fake Exchange that takes 40 ms a call. */
function anInstance(world: World, instanceId: string): CommandProcessor {
  const client = {
    async invoke(cmdlet: string, parameters: Record<string, unknown>) {
      world.calls.push({
        instance: instanceId,
        cmdlet,
        identity: String(parameters['Identity']),
        at: Date.now(),
      });
      await new Promise((r) => setTimeout(r, 40));
      return { values: [], warnings: [], attempts: 1 };
    },
  } as unknown as ExchangeClient;
  const sut = new CommandProcessor(
    world.db,
    world.log,
    new MailboxLeaseRepository(world.db),
    new MailboxSnapshotRepository(world.db),
    { clientFor: () => Promise.resolve(client), describe: () => Promise.reject(new Error('not used')) },
    new Outbox(),
    new Inbox(world.db, 'exchange-executor'),
    createLogger('command-processor-test'),
    {
      batchWindowMs: 20,
      maxAttempts: 3,
      retryBaseMs: 10,
      parallelMailboxes: 4,
      instanceId,
      leaseMs: LEASE_MS,
    },
  );
  world.processors.push(sut);
  return sut;
}

/** Pending commands left in the shared log (what a stopped deployment leaves behind). */
async function aBacklog(world: World, mailboxes: number, perMailbox: number): Promise<string[]> {
  const upns = Array.from(
    { length: mailboxes },
    (_, i) => `user${i}-${randomUUID().slice(0, 6)}@contoso.com`,
  );
  for (const upn of upns)
    for (let j = 0; j < perMailbox; j++) {
      const command: ExchangeCommandV1 = {
        commandId: randomUUID(),
        tenant: TENANT,
        mailbox: upn,
        action: { kind: j % 2 === 0 ? 'allow-device' : 'block-device', deviceId: `ApplBKLG${j}0000001` },
        reason: 'test',
        requestedBy: 'test',
        requestedAt: new Date().toISOString(),
      };
      await world.db.transaction((tx) =>
        world.log.accept(tx, mailboxKey(TENANT, upn), command, {
          id: command.commandId,
          source: 'test',
          type: ExchangeEventTypes.Command,
          time: command.requestedAt,
        }),
      );
    }
  return upns;
}

const casCallsOf = (world: World, upn: string) =>
  world.calls.filter((c) => c.cmdlet === 'Set-CASMailbox' && c.identity === upn);

async function drained(world: World, upns: string[]): Promise<void> {
  await waitFor('no command pending', async () => {
    for (const upn of upns) if (await world.log.hasPending(mailboxKey(TENANT, upn))) return false;
    return true;
  });
}

describe(CommandProcessor.name, () => {
  it('works each mailbox of a shared backlog in one instance only when two start together', async () => {
    const world = await setup();
    try {
      const upns = await aBacklog(world, 8, 3);
      await Promise.all([anInstance(world, 'a').start(), anInstance(world, 'b').start()]);
      await drained(world, upns);
      const perMailbox = upns.map((upn) => casCallsOf(world, upn).length);
      expect(perMailbox).toEqual(upns.map(() => 1));
      // Both instances took part: the backlog was shared out, not left to one.
      expect(new Set(world.calls.map((c) => c.instance)).size).toBe(2);
    } finally {
      await teardown(world);
    }
  });

  it("leaves a live instance's mailboxes alone and takes over those whose lease expired", async () => {
    const world = await setup();
    try {
      const [alive, dead] = await aBacklog(world, 2, 2);
      await world.leases.claim(mailboxKey(TENANT, alive), 'alive-elsewhere', 60_000);
      await world.leases.claim(mailboxKey(TENANT, dead), 'killed', LEASE_MS);
      const deadLeaseEnds = Date.now() + LEASE_MS;
      await anInstance(world, 'survivor').start();
      await drained(world, [dead]);
      expect(casCallsOf(world, dead)).toHaveLength(1);
      expect(casCallsOf(world, dead)[0].at).toBeGreaterThanOrEqual(deadLeaseEnds - 50);
      expect(casCallsOf(world, alive)).toHaveLength(0);
      expect(await world.log.hasPending(mailboxKey(TENANT, alive))).toBe(true);
    } finally {
      await teardown(world);
    }
  });
});
