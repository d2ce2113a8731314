import type { DeviceStateV1, ExchangeInventoryV1 } from '@easgate/contracts';
import type { Database, Tx } from '@easgate/persistence';
import type { MailboxLists } from '../../domain/mailbox-plan';
import { MailboxSnapshotEntity } from './mailbox-snapshot.entity';

export interface MailboxSnapshot extends MailboxLists {
  readonly activeSyncEnabled: boolean;
  readonly devices: DeviceStateV1[];
  readonly observedAt: string;
}

/** The inventory snapshot: what Exchange said at the last scan, kept current with easgate's own changes. */
export class MailboxSnapshotRepository {
  constructor(private readonly db: Database) {}

  async find(tenant: string, mailbox: string): Promise<MailboxSnapshot | undefined> {
    const row = await this.db.read((m) =>
      m
        .getRepository(MailboxSnapshotEntity)
        .findOneBy({ tenant: tenant.toLowerCase(), mailbox: mailbox.toLowerCase() }),
    );
    if (!row) return undefined;
    return {
      activeSyncEnabled: row.activeSyncEnabled,
      allowed: JSON.parse(row.allowedDeviceIds) as string[],
      blocked: JSON.parse(row.blockedDeviceIds) as string[],
      policy: row.mailboxPolicy,
      devices: JSON.parse(row.devices) as DeviceStateV1[],
      observedAt: row.observedAt,
    };
  }

  /**
   * After easgate changed the lists itself (only mailboxes already scanned are tracked), with the
   * devices as Exchange reported them after the change when they were read.
   */
  async updateLists(
    tx: Tx,
    tenant: string,
    mailbox: string,
    lists: MailboxLists,
    devices?: readonly DeviceStateV1[],
  ): Promise<void> {
    await tx.getRepository(MailboxSnapshotEntity).update(
      { tenant: tenant.toLowerCase(), mailbox: mailbox.toLowerCase() },
      {
        allowedDeviceIds: JSON.stringify(lists.allowed),
        blockedDeviceIds: JSON.stringify(lists.blocked),
        ...(lists.policy !== undefined && { mailboxPolicy: lists.policy }),
        ...(devices !== undefined && { devices: JSON.stringify(devices) }),
      },
    );
  }

  async saveInventory(tx: Tx, inventory: ExchangeInventoryV1): Promise<void> {
    await tx.getRepository(MailboxSnapshotEntity).save(snapshotRow(inventory));
  }

  /** A page of inventories (discovery): one upsert statement per few hundred mailboxes. */
  async saveInventories(tx: Tx, inventories: readonly ExchangeInventoryV1[]): Promise<void> {
    const rows = inventories.map(snapshotRow);
    for (let i = 0; i < rows.length; i += 500)
      await tx.getRepository(MailboxSnapshotEntity).upsert(rows.slice(i, i + 500), ['tenant', 'mailbox']);
  }
}

function snapshotRow(inventory: ExchangeInventoryV1): MailboxSnapshotEntity {
  return {
    tenant: inventory.tenant.toLowerCase(),
    mailbox: inventory.mailbox.toLowerCase(),
    activeSyncEnabled: inventory.activeSyncEnabled,
    allowedDeviceIds: JSON.stringify(inventory.allowedDeviceIds),
    blockedDeviceIds: JSON.stringify(inventory.blockedDeviceIds),
    mailboxPolicy: inventory.mailboxPolicy,
    devices: JSON.stringify(inventory.devices),
    scanId: inventory.scanId,
    observedAt: inventory.observedAt,
  };
}
