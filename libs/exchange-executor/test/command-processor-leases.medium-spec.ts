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
  /** The personal device lists Exchange holds, as Set-CASMailbox's Add/Remove leave them. */
  exchange: FakeLists;
  processors: CommandProcessor[];
}

/** One mailbox's ActiveSync allow and block lists, changed the way Set-CASMailbox changes them. */
class FakeLists {
  readonly allowed = new Set<string>();
  readonly blocked = new Set<string>();

  apply(parameters: Record<string, unknown>): void {
    const change = (list: Set<string>, value: unknown) => {
      const { add = [], remove = [] } = (value ?? {}) as { add?: string[]; remove?: string[] };
      for (const id of remove) list.delete(id);
      for (const id of add) list.add(id);
    };
    change(this.allowed, parameters['ActiveSyncAllowedDeviceIDs']);
    change(this.blocked, parameters['ActiveSyncBlockedDeviceIDs']);
  }
}

/** The executor's database: each call opens its own connections to it (an instance's own process). */
function openDatabase(url: string): Promise<Database> {
  const definition = exchangeExecutorService();
  return Database.open({
    service: 'exchange-executor',
    url,
    entities: [...messagingEntities, ...definition.entities],
    migrations: [...messagingMigrations, ...definition.migrations],
  });
}

async function setup(): Promise<World> {
  const testDb = await createTestDatabase();
  const db = await openDatabase(testDb.url);
  return {
    testDb,
    db,
    log: new CommandLogRepository(db),
    leases: new MailboxLeaseRepository(db),
    calls: [],
    exchange: new FakeLists(),
    processors: [],
  };
}

async function teardown(world: World): Promise<void> {
  for (const processor of world.processors) await processor.stop();
  await world.db.close();
  await world.testDb.drop();
}

/**
 * An instance: its own processor, on the shared database (or its own connections to it), calling a
 * fake Exchange that takes 40 ms a call; `afterCall` runs once Exchange has taken a call.
 */
function anInstance(
  world: World,
  instanceId: string,
  { db = world.db, afterCall }: { db?: Database; afterCall?: (cmdlet: string) => Promise<void> } = {},
): CommandProcessor {
  const client = {
    async invoke(cmdlet: string, parameters: Record<string, unknown>) {
      world.calls.push({
        instance: instanceId,
        cmdlet,
        identity: String(parameters['Identity']),
        at: Date.now(),
      });
      if (cmdlet === 'Set-CASMailbox') world.exchange.apply(parameters);
      await new Promise((r) => setTimeout(r, 40));
      await afterCall?.(cmdlet);
      return { values: [], warnings: [], attempts: 1 };
    },
  } as unknown as ExchangeClient;
  const sut = new CommandProcessor(
    db,
    new CommandLogRepository(db),
    new MailboxLeaseRepository(db),
    new MailboxSnapshotRepository(db),
    { clientFor: () => Promise.resolve(client), describe: () => Promise.reject(new Error('not used')) },
    new Outbox(),
    new Inbox(db, 'exchange-executor'),
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
    for (let j = 0; j < perMailbox; j++)
      await aCommand(world, upn, {
        kind: j % 2 === 0 ? 'allow-device' : 'block-device',
        deviceId: `ApplBKLG${j}0000001`,
      });
  return upns;
}

/** One command received for a mailbox, written to the shared log as the command handler writes it. */
async function aCommand(world: World, upn: string, action: ExchangeCommandV1['action']): Promise<void> {
  const command: ExchangeCommandV1 = {
    commandId: randomUUID(),
    tenant: TENANT,
    mailbox: upn,
    action,
    reason: 'test',
    requestedBy: 'test',
    requestedAt: new Date().toISOString(),
  };
  await world.db.transaction((tx) =>
    world.log.acceptMany(tx, [
      {
        mailboxKey: mailboxKey(TENANT, upn),
        command,
        origin: {
          id: command.commandId,
          source: 'test',
          type: ExchangeEventTypes.Command,
          time: command.requestedAt,
        },
      },
    ]),
  );
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

  it('does not skip a change on the word of a snapshot that a pass killed after its Exchange call left behind', async () => {
    const world = await setup();
    const killedDb = await openDatabase(world.testDb.url);
    const device = 'ApplKILL00000001';
    const upn = `killed-${randomUUID().slice(0, 6)}@contoso.com`;
    let died!: () => void;
    const dead = new Promise<void>((r) => (died = r));
    let release!: (err: Error) => void;
    const hung = new Promise<void>((_, reject) => (release = reject));
    // Exchange takes the block, then the instance's process is gone before it records the outcome.
    const killed = anInstance(world, 'killed', {
      db: killedDb,
      afterCall: async () => {
        await killedDb.close();
        died();
        await hung;
      },
    });
    try {
      await world.db.transaction((tx) =>
        new MailboxSnapshotRepository(world.db).saveInventory(tx, {
          tenant: TENANT,
          scanId: 'scan-1',
          mailbox: upn,
          activeSyncEnabled: true,
          allowedDeviceIds: [],
          blockedDeviceIds: [],
          mailboxPolicy: null,
          devices: [],
          observedAt: new Date().toISOString(),
        }),
      );
      await aCommand(world, upn, { kind: 'block-device', deviceId: device });
      await killed.start();
      await dead;
      expect([...world.exchange.blocked]).toEqual([device]);

      // The device is back in order: off both personal lists. The snapshot still says it never left them.
      await aCommand(world, upn, { kind: 'quarantine-device', deviceId: device });
      await anInstance(world, 'survivor').start();
      await drained(world, [upn]);
      expect({ allowed: [...world.exchange.allowed], blocked: [...world.exchange.blocked] }).toEqual({
        allowed: [],
        blocked: [],
      });
      expect(casCallsOf(world, upn).map((c) => c.instance)).toEqual(['killed', 'survivor']);
    } finally {
      world.processors.splice(world.processors.indexOf(killed), 1);
      release(new Error('the killed instance is gone'));
      await killed.stop();
      await teardown(world);
    }
  });
});
