import type { Tx } from '@easgate/persistence';
import { WatchEntity } from './entities';

export interface Watch<T> {
  tenant: string;
  name: string;
  since: string;
  data: T;
}

/** What rules remember between signals, by tenant and name (`certificate:<id>`, `throttling:<service>`…). */
export class WatchRepository {
  async find<T>(tenant: string, name: string, tx: Tx): Promise<Watch<T> | undefined> {
    const row = await tx.getRepository(WatchEntity).findOneBy({ tenant, name });
    return row ? { tenant, name, since: row.since, data: JSON.parse(row.data) as T } : undefined;
  }

  async put<T>(tenant: string, name: string, since: string, data: T, tx: Tx): Promise<void> {
    await tx
      .getRepository(WatchEntity)
      .save(Object.assign(new WatchEntity(), { tenant, name, since, data: JSON.stringify(data) }));
  }

  async remove(tenant: string, name: string, tx: Tx): Promise<void> {
    await tx.getRepository(WatchEntity).delete({ tenant, name });
  }

  /** Every tenant's watches whose name starts with `prefix` (the sweeper re-evaluates them). */
  async findByPrefixAcrossTenants<T>(prefix: string, tx: Tx): Promise<Watch<T>[]> {
    const rows = await tx
      .getRepository(WatchEntity)
      .createQueryBuilder('w')
      .where('w.name LIKE :p', { p: `${prefix}%` })
      .getMany();
    return rows.map((r) => ({
      tenant: r.tenant,
      name: r.name,
      since: r.since,
      data: JSON.parse(r.data) as T,
    }));
  }
}
