import { randomUUID } from 'node:crypto';
import {
  createCloudEvent,
  type DeviceStateV1,
  ExchangeEventTypes,
  type ExchangeInventoryV1,
  mailboxKey,
  Topics,
} from '@easgate/contracts';
import type { Logger, Outbox } from '@easgate/messaging';
import type { Database } from '@easgate/persistence';
import type { MailboxSnapshotRepository } from '../infra/persistence/mailbox-snapshot.repository';
import type { TenantClients } from '../infra/tenant-clients';
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

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/**
 * Full inventory of a tenant: every mobile device (paged), then every CAS mailbox (paged), one
 * inventory event per mailbox with its devices, the snapshot kept for skipping no-op commands.
 */
export class Discovery {
  private readonly scans = new Map<string, ScanStatus>();

  constructor(
    private readonly db: Database,
    private readonly snapshots: MailboxSnapshotRepository,
    private readonly clients: TenantClients,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
    private readonly pageSize: number,
    /** Told when a scan completes (the discovery-completed health signal). */
    private readonly onCompleted?: (scan: ScanStatus) => void,
  ) {}

  status(scanId: string): ScanStatus | undefined {
    return this.scans.get(scanId);
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
    try {
      const client = await this.clients.clientFor(tenant);
      // Devices first, grouped by mailbox name (the first part of the device identity).
      const devicesByMailbox = new Map<string, DeviceStateV1[]>();
      for await (const page of client.pages(
        'Get-MobileDevice',
        { ResultSize: 'Unlimited' },
        { pageSize: this.pageSize },
      )) {
        status.pages++;
        for (const device of page.values) {
          const state = deviceState(device);
          const identity = text(device['Identity']) ?? '';
          const owner = identity.includes(DEVICES_CONTAINER)
            ? identity.split(DEVICES_CONTAINER)[0].toLowerCase()
            : '';
          if (!state || !owner) continue;
          devicesByMailbox.set(owner, [...(devicesByMailbox.get(owner) ?? []), state]);
          status.devices++;
        }
      }
      for await (const page of client.pages(
        'Get-CASMailbox',
        { ResultSize: 'Unlimited' },
        { pageSize: this.pageSize },
      )) {
        status.pages++;
        const observedAt = new Date().toISOString();
        const inventories = page.values.flatMap((cas) => {
          const mailbox = text(cas['PrimarySmtpAddress']) ?? text(cas['Identity']);
          if (!mailbox) return [];
          const name = (text(cas['Name']) ?? text(cas['Identity']) ?? '').toLowerCase();
          const inventory: ExchangeInventoryV1 = {
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
            devices: devicesByMailbox.get(name) ?? [],
            observedAt,
          };
          return [inventory];
        });
        // One transaction per page: the snapshot and its events together.
        await this.db.transaction(async (tx) => {
          for (const inventory of inventories) {
            await this.snapshots.saveInventory(tx, inventory);
            await this.outbox.enqueue(
              tx,
              Topics.ExchangeInventory,
              mailboxKey(inventory.tenant, inventory.mailbox),
              createCloudEvent({
                source: EXECUTOR_SOURCE,
                type: ExchangeEventTypes.Inventory,
                subject: inventory.mailbox,
                tenant: inventory.tenant,
                data: inventory,
              }),
            );
          }
        });
        status.mailboxes += inventories.length;
        this.logger.info(
          {
            tenant: status.tenant,
            scanId: status.scanId,
            mailboxes: status.mailboxes,
            devices: status.devices,
          },
          'discovery progress',
        );
      }
      status.state = 'completed';
      this.onCompleted?.(status);
    } catch (err) {
      status.state = 'failed';
      const coded = err as { code?: unknown; message?: unknown };
      status.error = {
        code: typeof coded.code === 'string' ? coded.code : ExecutorErrorCode.Unexpected,
        message: typeof coded.message === 'string' ? coded.message : String(err),
      };
      this.logger.error(
        { tenant: status.tenant, scanId: status.scanId, ...status.error },
        'discovery failed',
      );
    } finally {
      status.finishedAt = new Date().toISOString();
    }
  }
}
