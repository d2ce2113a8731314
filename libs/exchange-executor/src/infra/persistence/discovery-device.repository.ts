import type { DeviceStateV1 } from '@easgate/contracts';
import type { Database, Tx } from '@easgate/persistence';
import { In, LessThan } from 'typeorm';
import { DiscoveryDeviceEntity } from './discovery-device.entity';

/** Rows a statement carries at most (parameters stay far below SQLite's and PostgreSQL's limits). */
const CHUNK = 500;

export interface StagedDevice {
  /** Lower-case mailbox name the device belongs to. */
  owner: string;
  state: DeviceStateV1;
}

/** The devices of running discovery scans, staged in the database between the device and mailbox passes. */
export class DiscoveryDeviceRepository {
  constructor(private readonly db: Database) {}

  /** Adds a page of devices to a scan; `firstSeq` numbers them (unique within the scan). */
  async stage(scanId: string, firstSeq: number, devices: readonly StagedDevice[]): Promise<void> {
    if (devices.length === 0) return;
    const createdAt = new Date().toISOString();
    const rows = devices.map((d, i) => ({
      scanId,
      seq: firstSeq + i,
      owner: d.owner,
      state: JSON.stringify(d.state),
      createdAt,
    }));
    await this.db.transaction(async (tx: Tx) => {
      for (let i = 0; i < rows.length; i += CHUNK)
        await tx.getRepository(DiscoveryDeviceEntity).insert(rows.slice(i, i + CHUNK));
    });
  }

  /** The staged devices of these mailbox names (lower case), by name, in the order they were read. */
  async forOwners(scanId: string, owners: readonly string[]): Promise<Map<string, DeviceStateV1[]>> {
    const byOwner = new Map<string, DeviceStateV1[]>();
    const unique = [...new Set(owners)];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const rows = await this.db.read((m) =>
        m.getRepository(DiscoveryDeviceEntity).find({
          select: { owner: true, state: true, seq: true },
          where: { scanId, owner: In(unique.slice(i, i + CHUNK)) },
          order: { seq: 'ASC' },
        }),
      );
      for (const row of rows) {
        const list = byOwner.get(row.owner) ?? [];
        list.push(JSON.parse(row.state) as DeviceStateV1);
        byOwner.set(row.owner, list);
      }
    }
    return byOwner;
  }

  /** Forgets a scan's devices (it ended). */
  async drop(scanId: string): Promise<void> {
    await this.db.transaction((tx: Tx) => tx.getRepository(DiscoveryDeviceEntity).delete({ scanId }));
  }

  /** Forgets devices staged before `before` (ISO-8601): scans whose process died mid-way. */
  async dropStagedBefore(before: string): Promise<void> {
    await this.db.transaction((tx: Tx) =>
      tx.getRepository(DiscoveryDeviceEntity).delete({ createdAt: LessThan(before) }),
    );
  }
}
