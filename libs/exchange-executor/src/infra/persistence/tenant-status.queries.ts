import type { Database } from '@easgate/persistence';
import { CommandLogEntity, PENDING_ROWS } from './command-log.entity';
import { MailboxSnapshotEntity } from './mailbox-snapshot.entity';

/** The predicate of `exchange_command_log_applied_by_tenant`, said literally so that planners use it. */
const APPLIED_ROWS = "status = 'applied'";

export interface LastAppliedCommand {
  readonly commandId: string;
  readonly completedAt: string;
  readonly action: string;
}

export interface TenantBacklogOf {
  readonly depth: number;
  readonly oldestReceivedAt?: string;
}

export interface TenantInventory {
  /** Mailboxes in the inventory snapshot (discovery, kept current by easgate's own changes). */
  readonly mailboxes: number;
  readonly lastObservedAt?: string;
}

/**
 * The durable half of a tenant's status, one tenant key at a time (the command log and the snapshot
 * store the tenant as the command or scan named it, lower-cased), each on an index: the newest applied
 * command (partial index of applied rows), the pending commands (partial index of pending rows) and
 * the inventory snapshot (its primary key starts with the tenant).
 */
export class TenantStatusQueries {
  constructor(private readonly db: Database) {}

  async lastApplied(tenant: string): Promise<LastAppliedCommand | undefined> {
    const row = await this.db.read((m) =>
      m
        .getRepository(CommandLogEntity)
        .createQueryBuilder('c')
        .select(['c.commandId', 'c.completedAt', 'c.command'])
        .where(`c.tenant = :tenant AND c.${APPLIED_ROWS}`, { tenant: tenant.toLowerCase() })
        .orderBy('c.completed_at', 'DESC')
        .limit(1)
        .getOne(),
    );
    if (!row?.completedAt) return undefined;
    const command = JSON.parse(row.command) as { action?: { kind?: unknown } };
    return {
      commandId: row.commandId,
      completedAt: row.completedAt,
      action: typeof command.action?.kind === 'string' ? command.action.kind : 'unknown',
    };
  }

  async backlog(tenant: string): Promise<TenantBacklogOf> {
    const row = await this.db.read((m) =>
      m
        .getRepository(CommandLogEntity)
        .createQueryBuilder('c')
        .select('COUNT(*)', 'depth')
        .addSelect('MIN(c.received_at)', 'oldest')
        .where(`c.tenant = :tenant AND c.${PENDING_ROWS}`, { tenant: tenant.toLowerCase() })
        .getRawOne<{ depth: string | number; oldest: string | null }>(),
    );
    const depth = Number(row?.depth ?? 0);
    return { depth, ...(depth > 0 && row?.oldest && { oldestReceivedAt: row.oldest }) };
  }

  async inventory(tenant: string): Promise<TenantInventory> {
    const row = await this.db.read((m) =>
      m
        .getRepository(MailboxSnapshotEntity)
        .createQueryBuilder('s')
        .select('COUNT(*)', 'mailboxes')
        .addSelect('MAX(s.observed_at)', 'last')
        .where('s.tenant = :tenant', { tenant: tenant.toLowerCase() })
        .getRawOne<{ mailboxes: string | number; last: string | null }>(),
    );
    const mailboxes = Number(row?.mailboxes ?? 0);
    return { mailboxes, ...(row?.last && { lastObservedAt: row.last }) };
  }
}
