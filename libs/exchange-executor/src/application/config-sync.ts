import { randomUUID } from 'node:crypto';
import { createCloudEvent, type ExchangeConfigDriftV1, ExchangeEventTypes, Topics } from '@easgate/contracts';
import type { Logger, Outbox } from '@easgate/messaging';
import type { Database } from '@easgate/persistence';
import { type ConfigObject, type ConfigSection, configSettings, diffConfig } from '../domain/config-drift';
import type { ConfigSnapshotRepository } from '../infra/persistence/config-snapshot.repository';
import type { TenantClients } from '../infra/tenant-clients';
import { EXECUTOR_SOURCE } from './command-processor';

export interface ConfigSyncReport {
  syncId: string;
  tenant: string;
  /** The first sync of a tenant stores a baseline and reports no drift. */
  baseline: boolean;
  objects: number;
  drifts: number;
}

const SECTIONS: { section: ConfigSection; cmdlet: string }[] = [
  { section: 'organization-settings', cmdlet: 'Get-ActiveSyncOrganizationSettings' },
  { section: 'device-access-rules', cmdlet: 'Get-ActiveSyncDeviceAccessRule' },
  { section: 'mailbox-policies', cmdlet: 'Get-MobileDeviceMailboxPolicy' },
];

/** Reads ActiveSync organization settings, device access rules and mailbox policies; publishes drift. */
export class ConfigSync {
  constructor(
    private readonly db: Database,
    private readonly snapshots: ConfigSnapshotRepository,
    private readonly clients: TenantClients,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
  ) {}

  async sync(tenant: string): Promise<ConfigSyncReport> {
    const client = await this.clients.clientFor(tenant);
    const current: ConfigObject[] = [];
    for (const { section, cmdlet } of SECTIONS) {
      for await (const object of client.stream(cmdlet, {})) {
        const identity = object['Identity'] ?? object['Name'];
        if (typeof identity !== 'string') continue;
        current.push({ section, identity, settings: configSettings(object) });
      }
    }
    const previous = await this.snapshots.load(tenant);
    const baseline = previous.length === 0;
    const drifts = baseline ? [] : diffConfig(previous, current);
    const syncId = randomUUID();
    const observedAt = new Date().toISOString();
    const key = tenant.toLowerCase();
    await this.db.transaction(async (tx) => {
      await this.snapshots.replace(tx, tenant, current, observedAt);
      for (const drift of drifts) {
        const data: ExchangeConfigDriftV1 = { tenant: key, syncId, ...drift, observedAt };
        await this.outbox.enqueue(
          tx,
          Topics.ExchangeConfigDrift,
          key,
          createCloudEvent({
            source: EXECUTOR_SOURCE,
            type: ExchangeEventTypes.ConfigDrift,
            subject: drift.identity,
            tenant: key,
            data,
          }),
        );
      }
    });
    this.logger.info(
      { tenant: key, syncId, objects: current.length, drifts: drifts.length, baseline },
      'configuration synced',
    );
    return { syncId, tenant: key, baseline, objects: current.length, drifts: drifts.length };
  }
}
