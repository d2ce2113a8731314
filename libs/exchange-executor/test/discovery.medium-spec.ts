import { randomUUID } from 'node:crypto';
import type { ExchangeInventoryV1 } from '@easgate/contracts';
import { createLogger, messagingEntities, messagingMigrations, Outbox } from '@easgate/messaging';
import { Database } from '@easgate/persistence';
import { createTestDatabase, type TestDatabase } from '@easgate/testing';
import { exchangeExecutorService } from '../src';
import { Discovery } from '../src/application/discovery';
import type { CmdletObject, CmdletPage, ExchangeClient } from '../src/infra/exchange-client/exchange-client';
import { DiscoveryDeviceEntity } from '../src/infra/persistence/discovery-device.entity';
import { MailboxSnapshotRepository } from '../src/infra/persistence/mailbox-snapshot.repository';
import type { TenantClients } from '../src/infra/tenant-clients';

const TENANT = 'contoso.onmicrosoft.com';

interface Listing {
  mailboxes: CmdletObject[];
  devices: CmdletObject[];
  /** A device page number (1-based) whose read fails. */
  failOnDevicePage?: number;
}

const mailbox = (name: string): CmdletObject => ({
  Name: name,
  Identity: name,
  PrimarySmtpAddress: `${name}@contoso.com`,
  ActiveSyncEnabled: true,
  ActiveSyncAllowedDeviceIDs: [],
  ActiveSyncBlockedDeviceIDs: [],
  ActiveSyncMailboxPolicy: 'Default',
  ActiveSyncMailboxPolicyIsDefaulted: true,
});

const device = (owner: string, deviceId: string): CmdletObject => ({
  Identity: `${owner}\\ExchangeActiveSyncDevices\\iPhone§${deviceId}`,
  DeviceId: deviceId,
  DeviceAccessState: 'Allowed',
  DeviceType: 'iPhone',
});

/** Exchange as far as discovery sees it: the listings, cut into pages of the size asked. */
function clientsFor(listing: Listing): TenantClients {
  async function* pages(
    cmdlet: string,
    _parameters: unknown,
    options: { pageSize?: number },
  ): AsyncGenerator<CmdletPage> {
    const all = cmdlet === 'Get-MobileDevice' ? listing.devices : listing.mailboxes;
    const size = options.pageSize ?? 1000;
    for (let i = 0; i < all.length; i += size) {
      const page = i / size + 1;
      await Promise.resolve();
      if (cmdlet === 'Get-MobileDevice' && page === listing.failOnDevicePage)
        throw Object.assign(new Error('Exchange answered 503'), { code: 'EXCHANGE_UNAVAILABLE' });
      yield { values: all.slice(i, i + size), warnings: [], page };
    }
  }
  return {
    clientFor: () => Promise.resolve({ pages } as unknown as ExchangeClient),
  } as unknown as TenantClients;
}

describe(Discovery.name, () => {
  let testDb: TestDatabase;
  let db: Database;
  const logger = createLogger('discovery-test');
  logger.level = 'silent';

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const definition = exchangeExecutorService();
    db = await Database.open({
      service: 'discovery-test',
      url: testDb.url,
      entities: [...messagingEntities, ...definition.entities],
      migrations: [...messagingMigrations, ...definition.migrations],
    });
  });

  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  const discoveryOf = (listing: Listing, pageSize: number) =>
    new Discovery(db, new MailboxSnapshotRepository(db), clientsFor(listing), new Outbox(), logger, pageSize);
  const inventoriesOf = async (scanId: string): Promise<ExchangeInventoryV1[]> => {
    const rows = await db.dataSource.query<{ value: string }[]>(
      `SELECT value FROM outbox_event WHERE value LIKE $1 ORDER BY id`,
      [`%${scanId}%`],
    );
    return rows.map((r) => (JSON.parse(r.value) as { data: ExchangeInventoryV1 }).data);
  };
  const staged = () => db.dataSource.getRepository(DiscoveryDeviceEntity).count();

  it('gives each mailbox every device of its own, whichever device page they were read on', async () => {
    const names = ['adele', 'bert', 'chloe', 'dmitri', 'emma'];
    // Devices of one mailbox far apart: pages of 2 put each mailbox's devices on different pages.
    const devices = [0, 1, 2].flatMap((round) => names.map((n) => device(n, `Appl${n}${round}`)));
    const sut = discoveryOf({ mailboxes: names.map(mailbox), devices }, 2);

    const scan = await sut.run(TENANT);

    expect(scan).toMatchObject({ state: 'completed', mailboxes: 5, devices: 15, pages: 8 + 3 });
    const inventories = await inventoriesOf(scan.scanId);
    expect(inventories.map((i) => i.mailbox)).toEqual(names.map((n) => `${n}@contoso.com`));
    for (const inventory of inventories) {
      const name = inventory.mailbox.split('@')[0];
      expect(inventory.devices.map((d) => d.deviceId)).toEqual([
        `Appl${name}0`,
        `Appl${name}1`,
        `Appl${name}2`,
      ]);
    }
    const snapshot = await new MailboxSnapshotRepository(db).find(TENANT, 'chloe@contoso.com');
    expect(snapshot?.devices.map((d) => d.deviceId)).toEqual(['Applchloe0', 'Applchloe1', 'Applchloe2']);
  });

  it('keeps no staged device once a scan completed', async () => {
    const sut = discoveryOf({ mailboxes: [mailbox('fay')], devices: [device('fay', 'ApplFAY1')] }, 10);

    const scan = await sut.run(TENANT);

    expect(scan.state).toBe('completed');
    expect(await staged()).toBe(0);
  });

  it('fails a scan whose device read fails, publishes nothing for it and keeps no staged device', async () => {
    const devices = Array.from({ length: 6 }, (_, i) => device('gus', `ApplGUS${i}`));
    const sut = discoveryOf({ mailboxes: [mailbox('gus')], devices, failOnDevicePage: 3 }, 2);

    const scan = await sut.run(TENANT);

    expect(scan).toMatchObject({ state: 'failed', error: { code: 'EXCHANGE_UNAVAILABLE' } });
    expect(await inventoriesOf(scan.scanId)).toEqual([]);
    expect(await staged()).toBe(0);
  });

  it('purges the devices a scan staged a day ago and never cleared (its process died)', async () => {
    const old = new Date(Date.now() - 25 * 60 * 60 * 1000).toISOString();
    await db.dataSource.getRepository(DiscoveryDeviceEntity).insert({
      scanId: randomUUID(),
      seq: 0,
      owner: 'ghost',
      state: JSON.stringify({ deviceId: 'ApplGHOST', accessState: 'Allowed' }),
      createdAt: old,
    });
    const sut = discoveryOf({ mailboxes: [mailbox('hana')], devices: [] }, 10);

    await sut.run(TENANT);

    expect(await staged()).toBe(0);
  });
});
