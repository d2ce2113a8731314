import type { Database, Tx } from '@easgate/persistence';
import type { ConfigObject, ConfigSection } from '../../domain/config-drift';
import { ConfigSnapshotEntity } from './config-snapshot.entity';

/** A tenant's last synced configuration. */
export class ConfigSnapshotRepository {
  constructor(private readonly db: Database) {}

  async load(tenant: string): Promise<ConfigObject[]> {
    const rows = await this.db.read((m) =>
      m.getRepository(ConfigSnapshotEntity).findBy({ tenant: tenant.toLowerCase() }),
    );
    return rows.map((r) => ({
      section: r.section as ConfigSection,
      identity: r.identity,
      settings: JSON.parse(r.settings) as Record<string, unknown>,
    }));
  }

  async replace(tx: Tx, tenant: string, objects: readonly ConfigObject[], observedAt: string): Promise<void> {
    const repo = tx.getRepository(ConfigSnapshotEntity);
    await repo.delete({ tenant: tenant.toLowerCase() });
    for (const o of objects) {
      await repo.insert({
        tenant: tenant.toLowerCase(),
        section: o.section,
        identity: o.identity,
        settings: JSON.stringify(o.settings),
        observedAt,
      });
    }
  }
}
