import { randomUUID } from 'node:crypto';
import {
  createCloudEvent,
  ExchangeEventTypes,
  type ExchangeInventoryV1,
  mailboxKey,
  Topics,
} from '@easgate/contracts';
import type { Logger, Outbox } from '@easgate/messaging';
import type { Database } from '@easgate/persistence';
import type { MailboxSnapshotRepository } from '../infra/persistence/mailbox-snapshot.repository';
import type { TenantClients } from '../infra/tenant-clients';
import {
  DiscoveryDeviceRepository,
  type StagedDevice,
} from '../infra/persistence/discovery-device.repository';
import { deviceState } from '../domain/device-state';
import { ExecutorErrorCode } from '../domain/executor-error';
import { EXECUTOR_SOURCE } from './command-processor';

export interface ScanStatus {
  scanId: string;
  tenant: string;
  state: 'running' | 'completed' | 'failed';
  /** Devices read, mailboxes published, pages read: the progress of a long scan. */
  devices: number;
  mailboxes: number;
  pages: number;
  startedAt: string;
  finishedAt?: string;
  error?: { code: string; message: string };
}

const DEVICES_CONTAINER = '\\ExchangeActiveSyncDevices\\';
/** Staged devices older than this belong to a scan whose process died (no scan lasts a day). */
const STALE_STAGING_MS = 24 * 60 * 60 * 1000;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/**
 * Full inventory of a tenant: every mobile device (paged, staged in the database), then every CAS
 * mailbox (paged), one inventory event per mailbox with its devices, the snapshot kept for skipping
 * no-op commands. Memory holds a page or two whatever the tenant's size.
 */
export class Discovery {
  private readonly scans = new Map<string, ScanStatus>();
  private readonly staging: DiscoveryDeviceRepository;

  constructor(
    private readonly db: Database,
    private readonly snapshots: MailboxSnapshotRepository,
    private readonly clients: TenantClients,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
    private readonly pageSize: number,
    /** Told when a scan completes (the discovery-completed health signal). */
    private readonly onCompleted?: (scan: ScanStatus) => void,
  ) {
    this.staging = new DiscoveryDeviceRepository(db);
  }

  status(scanId: string): ScanStatus | undefined {
    return this.scans.get(scanId);
  }

  /** The newest scan this process ran for a tenant known by any of `tenants` (id or domain). */
  latest(tenants: readonly string[]): ScanStatus | undefined {
    const keys = new Set(tenants.map((t) => t.toLowerCase()));
    let newest: ScanStatus | undefined;
    for (const scan of this.scans.values())
      if (keys.has(scan.tenant) && (!newest || scan.startedAt > newest.startedAt)) newest = scan;
    return newest;
  }

  /** Starts a scan and returns at once; progress through `status`. */
  start(tenant: string): ScanStatus {
    const running = [...this.scans.values()].find(
      (s) => s.tenant === tenant.toLowerCase() && s.state === 'running',
    );
    if (running) return running;
    const status: ScanStatus = {
      scanId: randomUUID(),
      tenant: tenant.toLowerCase(),
      state: 'running',
      devices: 0,
      mailboxes: 0,
      pages: 0,
      startedAt: new Date().toISOString(),
    };
    this.scans.set(status.scanId, status);
    void this.scan(tenant, status);
    return status;
  }

  /** Runs a scan to the end (the scheduler and tests await it). */
  async run(tenant: string): Promise<ScanStatus> {
    const status = this.start(tenant);
    while (status.state === 'running') await new Promise((r) => setTimeout(r, 50));
    return status;
  }

  private async scan(tenant: string, status: ScanStatus): Promise<void> {
    // The page written while the next one is fetched (one at a time), awaited before clean-up.
    let writing: Promise<void> = Promise.resolve();
    let failure: { code: string; message: string } | undefined;
    try {
      // Devices staged by scans whose process died before cleaning up.
      await this.staging.dropStagedBefore(new Date(Date.now() - STALE_STAGING_MS).toISOString());
      const client = await this.clients.clientFor(tenant);
      // Devices first, staged in the database by mailbox name (the first part of the device
      // identity): one page in memory at a time, written while the next page is fetched.
      for await (const page of client.pages(
        'Get-MobileDevice',
        { ResultSize: 'Unlimited' },
        { pageSize: this.pageSize },
      )) {
        status.pages++;
        const staged: StagedDevice[] = [];
        for (const device of page.values) {
          const state = deviceState(device);
          const identity = text(device['Identity']) ?? '';
          const owner = identity.includes(DEVICES_CONTAINER)
            ? identity.split(DEVICES_CONTAINER)[0].toLowerCase()
            : '';
          if (state && owner) staged.push({ owner, state });
        }
        await writing;
        writing = settled(this.staging.stage(status.scanId, status.devices, staged));
        status.devices += staged.length;
      }
      await writing;
      // Then the mailboxes, page by page: each page's devices read back from the stage, its
      // snapshots and inventory events written in one transaction while the next page is fetched.
      for await (const page of client.pages(
        'Get-CASMailbox',
        { ResultSize: 'Unlimited' },
        { pageSize: this.pageSize },
      )) {
        status.pages++;
        await writing;
        writing = settled(this.publish(status, page.values));
      }
      await writing;
    } catch (err) {
      const coded = err as { code?: unknown; message?: unknown };
      failure = {
        code: typeof coded.code === 'string' ? coded.code : ExecutorErrorCode.Unexpected,
        message: typeof coded.message === 'string' ? coded.message : String(err),
      };
      this.logger.error({ tenant: status.tenant, scanId: status.scanId, ...failure }, 'discovery failed');
    }
    // The scan ends (for `run` and the status API) once its staged devices are gone.
    await writing.catch(() => undefined);
    await this.staging
      .drop(status.scanId)
      .catch((err: unknown) =>
        this.logger.warn(
          { tenant: status.tenant, scanId: status.scanId, err: String(err) },
          'discovery staging not cleared: a later scan purges it',
        ),
      );
    status.finishedAt = new Date().toISOString();
    if (failure) {
      status.error = failure;
      status.state = 'failed';
    } else {
      status.state = 'completed';
      try {
        this.onCompleted?.(status);
      } catch (err) {
        this.logger.warn({ tenant: status.tenant, err: String(err) }, 'discovery completion not signalled');
      }
    }
  }

  /** One page of CAS mailboxes: their inventories (with the staged devices) and snapshots, in one transaction. */
  private async publish(status: ScanStatus, page: readonly Record<string, unknown>[]): Promise<void> {
    const observedAt = new Date().toISOString();
    const mailboxes = page.flatMap((cas) => {
      const mailbox = text(cas['PrimarySmtpAddress']) ?? text(cas['Identity']);
      if (!mailbox) return [];
      return [{ cas, mailbox, name: (text(cas['Name']) ?? text(cas['Identity']) ?? '').toLowerCase() }];
    });
    const devices = await this.staging.forOwners(
      status.scanId,
      mailboxes.map((m) => m.name),
    );
    const inventories = mailboxes.map(({ cas, mailbox, name }): ExchangeInventoryV1 => ({
      tenant: status.tenant,
      scanId: status.scanId,
      mailbox,
      activeSyncEnabled: cas['ActiveSyncEnabled'] !== false,
      allowedDeviceIds: strings(cas['ActiveSyncAllowedDeviceIDs']),
      blockedDeviceIds: strings(cas['ActiveSyncBlockedDeviceIDs']),
      mailboxPolicy:
        cas['ActiveSyncMailboxPolicyIsDefaulted'] === true
          ? null
          : (text(cas['ActiveSyncMailboxPolicy']) ?? null),
      devices: devices.get(name) ?? [],
      observedAt,
    }));
    const events = inventories.map((inventory) => ({
      topic: Topics.ExchangeInventory,
      key: mailboxKey(inventory.tenant, inventory.mailbox),
      event: createCloudEvent({
        source: EXECUTOR_SOURCE,
        type: ExchangeEventTypes.Inventory,
        subject: inventory.mailbox,
        tenant: inventory.tenant,
        data: inventory,
      }),
    }));
    await this.db.transaction(async (tx) => {
      await this.snapshots.saveInventories(tx, inventories);
      await this.outbox.enqueueMany(tx, events);
    });
    status.mailboxes += inventories.length;
    this.logger.info(
      { tenant: status.tenant, scanId: status.scanId, mailboxes: status.mailboxes, devices: status.devices },
      'discovery progress',
    );
  }
}

/** The promise, with a no-op handler so that a failure is not unhandled before the scan awaits it. */
function settled(work: Promise<void>): Promise<void> {
  work.catch(() => undefined);
  return work;
}
