import type { Database } from '@easgate/persistence';
import { CommandLogEntity, PENDING_ROWS } from './command-log.entity';
import { writeOne } from './write-one';
import { MailboxLeaseEntity } from './mailbox-lease.entity';

/** Who may work a mailbox's pending commands: one instance at a time. */
export interface MailboxLeases {
  /** Whether other instances share these mailboxes (then leases are renewed and expired ones taken over). */
  readonly shared: boolean;
  claim(mailboxKey: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseIfIdle(mailboxKey: string, owner: string): Promise<boolean>;
  renew(owner: string, mailboxKeys: readonly string[], ttlMs: number): Promise<string[]>;
  release(owner: string, mailboxKeys: readonly string[]): Promise<void>;
  claimablePendingKeys(owner: string): Promise<string[]>;
}

/**
 * SQLite (the embedded default) is one process's file: there is no other instance to share with,
 * so every mailbox is this process's and no lease row is written (the queued SQLite transactions
 * would only slow the flushes down). Pending work is recovered at start, as with leases.
 */
export class ProcessLocalLeases implements MailboxLeases {
  readonly shared = false;

  constructor(private readonly db: Database) {}

  claim(): Promise<boolean> {
    return Promise.resolve(true);
  }

  releaseIfIdle(): Promise<boolean> {
    return Promise.resolve(true);
  }

  renew(): Promise<string[]> {
    return Promise.resolve([]);
  }

  release(): Promise<void> {
    return Promise.resolve();
  }

  async claimablePendingKeys(): Promise<string[]> {
    const rows = await this.db.read((m) =>
      m
        .getRepository(CommandLogEntity)
        .createQueryBuilder('c')
        .select('DISTINCT c.mailbox_key', 'key')
        .where(`c.${PENDING_ROWS}`)
        .getRawMany<{ key: string }>(),
    );
    return rows.map((r) => r.key);
  }
}

/** Mailbox leases in the shared PostgreSQL database: replicas work only the mailboxes they hold. */
export class MailboxLeaseRepository implements MailboxLeases {
  readonly shared = true;

  constructor(private readonly db: Database) {}

  /**
   * Takes or renews the lease of one mailbox in one statement, committed on its own (an upsert whose
   * update only applies when the lease is the caller's or expired); false while another live
   * instance holds it.
   */
  async claim(mailboxKey: string, owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
    const p = this.placeholders(4);
    const rows = await writeOne(this.db, (m) =>
      m.query<unknown[]>(
        `INSERT INTO exchange_mailbox_lease (mailbox_key, owner, expires_at) VALUES (${p[0]}, ${p[1]}, ${p[2]})
           ON CONFLICT (mailbox_key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE exchange_mailbox_lease.owner = excluded.owner OR exchange_mailbox_lease.expires_at < ${p[3]}
           RETURNING mailbox_key`,
        [mailboxKey, owner, expiresAt, now.toISOString()],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Gives a mailbox back when none of its commands is pending any more, in one statement committed
   * on its own; false when something is still pending (or the lease is not the caller's): the
   * caller works on.
   */
  async releaseIfIdle(mailboxKey: string, owner: string): Promise<boolean> {
    const released = await writeOne(this.db, (m) =>
      m
        .createQueryBuilder()
        .delete()
        .from(MailboxLeaseEntity)
        .where('mailbox_key = :mailboxKey AND owner = :owner', { mailboxKey, owner })
        .andWhere(
          `NOT EXISTS (SELECT 1 FROM exchange_command_log c WHERE c.mailbox_key = :mailboxKey AND c.${PENDING_ROWS})`,
        )
        .execute(),
    );
    return (released.affected ?? 0) > 0;
  }

  /** `$1…` on PostgreSQL, `?` on SQLite (positional: a repeated parameter is passed again). */
  private placeholders(count: number): string[] {
    return Array.from({ length: count }, (_, i) => (this.db.kind === 'postgres' ? `$${i + 1}` : '?'));
  }

  /** Extends every lease this owner still holds; returns the keys it holds no more. */
  async renew(
    owner: string,
    mailboxKeys: readonly string[],
    ttlMs: number,
    now = new Date(),
  ): Promise<string[]> {
    if (mailboxKeys.length === 0) return [];
    const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
    return this.db.transaction(async (tx) => {
      await tx
        .createQueryBuilder()
        .update(MailboxLeaseEntity)
        .set({ expiresAt })
        .where('owner = :owner AND mailbox_key IN (:...keys)', { owner, keys: [...mailboxKeys] })
        .execute();
      const held = await tx
        .getRepository(MailboxLeaseEntity)
        .createQueryBuilder('l')
        .select('l.mailbox_key', 'key')
        .where('l.owner = :owner AND l.mailbox_key IN (:...keys)', { owner, keys: [...mailboxKeys] })
        .getRawMany<{ key: string }>();
      const still = new Set(held.map((r) => r.key));
      return mailboxKeys.filter((k) => !still.has(k));
    });
  }

  /** Gives a mailbox back (nothing pending, or the instance stops). */
  async release(owner: string, mailboxKeys: readonly string[]): Promise<void> {
    if (mailboxKeys.length === 0) return;
    await writeOne(this.db, (m) =>
      m
        .createQueryBuilder()
        .delete()
        .from(MailboxLeaseEntity)
        .where('owner = :owner AND mailbox_key IN (:...keys)', { owner, keys: [...mailboxKeys] })
        .execute(),
    );
  }

  /**
   * Mailboxes with pending commands that this owner may work: unleased, leased by it, or whose
   * holder let the lease expire (stopped hard). The scan reads the partial index of pending rows.
   */
  async claimablePendingKeys(owner: string, now = new Date()): Promise<string[]> {
    const rows = await this.db.read((m) =>
      m
        .getRepository(CommandLogEntity)
        .createQueryBuilder('c')
        .select('DISTINCT c.mailbox_key', 'key')
        .leftJoin(MailboxLeaseEntity, 'l', 'l.mailbox_key = c.mailbox_key')
        .where(`c.${PENDING_ROWS}`)
        .andWhere('(l.mailbox_key IS NULL OR l.owner = :owner OR l.expires_at < :now)', {
          owner,
          now: now.toISOString(),
        })
        .getRawMany<{ key: string }>(),
    );
    return rows.map((r) => r.key);
  }
}
