import type { TenantClients } from '../infra/tenant-clients';
import type {
  LastAppliedCommand,
  TenantInventory,
  TenantStatusQueries,
} from '../infra/persistence/tenant-status.queries';
import type { ScanStatus } from './discovery';
import type { HealthReporter, TenantHealthView } from './health-reporter';

export interface TenantStatusView extends TenantHealthView {
  tenant: string;
  /** The names the tenant was looked up by: the one asked for, and its connection's id and domain. */
  knownAs: string[];
  /** The newest of the last successful request (this process) and the last applied command (durable). */
  lastSuccessfulCall?: { at: string; source: 'request' | 'command'; what: string };
  lastAppliedCommand?: LastAppliedCommand;
  discovery: {
    /** The newest scan this process ran (`none` after a restart or on another replica). */
    state: ScanStatus['state'] | 'none';
    scan?: ScanStatus;
    inventory: TenantInventory;
  };
  backlog: { depth: number; oldestReceivedAt?: string; oldestAgeSeconds: number };
  observedAt: string;
}

/**
 * One tenant's Exchange status for the console: the live half from what this process saw (last
 * successful request, throttling, circuit, the newest scan) and the durable half from the database
 * (last applied command, pending commands, inventory), on indexes, not scans.
 */
export class TenantStatus {
  constructor(
    private readonly clients: TenantClients,
    private readonly health: HealthReporter,
    private readonly discovery: { latest(tenants: readonly string[]): ScanStatus | undefined },
    private readonly queries: TenantStatusQueries,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async of(tenant: string): Promise<TenantStatusView> {
    const knownAs = await this.aliases(tenant);
    const [applied, backlogs, inventories] = await Promise.all([
      Promise.all(knownAs.map((t) => this.queries.lastApplied(t))),
      Promise.all(knownAs.map((t) => this.queries.backlog(t))),
      Promise.all(knownAs.map((t) => this.queries.inventory(t))),
    ]);
    const now = this.now();
    const live = this.health.tenantView(knownAs);
    const lastAppliedCommand = newest(applied, (a) => a.completedAt);
    const oldestReceivedAt = backlogs
      .map((b) => b.oldestReceivedAt)
      .filter((at): at is string => at !== undefined)
      .sort()[0];
    const lastObservedAt = newest(
      inventories.map((i) => i.lastObservedAt),
      (at) => at,
    );
    const scan = this.discovery.latest(knownAs);
    const request = live.lastSuccessfulRequest;
    const candidates = [
      request && { at: request.at, source: 'request' as const, what: request.cmdlet },
      lastAppliedCommand && {
        at: lastAppliedCommand.completedAt,
        source: 'command' as const,
        what: lastAppliedCommand.action,
      },
    ];
    const lastSuccessfulCall = newest(candidates, (c) => c.at);
    return {
      tenant,
      knownAs,
      ...live,
      ...(lastSuccessfulCall && { lastSuccessfulCall }),
      ...(lastAppliedCommand && { lastAppliedCommand }),
      discovery: {
        state: scan?.state ?? 'none',
        ...(scan && { scan: { ...scan } }),
        inventory: {
          mailboxes: inventories.reduce((sum, i) => sum + i.mailboxes, 0),
          ...(lastObservedAt && { lastObservedAt }),
        },
      },
      backlog: {
        depth: backlogs.reduce((sum, b) => sum + b.depth, 0),
        ...(oldestReceivedAt && { oldestReceivedAt }),
        oldestAgeSeconds: oldestReceivedAt
          ? Math.max(0, Math.round((now.getTime() - Date.parse(oldestReceivedAt)) / 1000))
          : 0,
      },
      observedAt: now.toISOString(),
    };
  }

  /**
   * Commands, scans and circuits name a tenant by its id or its domain: both, when a connection is
   * known. Without one (none configured, the vault not answering) the status is of the name asked for.
   */
  private async aliases(tenant: string): Promise<string[]> {
    const names = [tenant];
    try {
      const connection = await this.clients.describe(tenant);
      if (connection.tenantId) names.push(connection.tenantId);
      names.push(connection.organization);
    } catch {
      // The durable and live halves are still those of the name asked for.
    }
    return [...new Set(names.map((n) => n.toLowerCase()))];
  }
}

function newest<T>(items: readonly (T | undefined)[], at: (item: T) => string | undefined): T | undefined {
  let found: T | undefined;
  for (const item of items)
    if (item !== undefined && (found === undefined || (at(item) ?? '') > (at(found) ?? ''))) found = item;
  return found;
}
