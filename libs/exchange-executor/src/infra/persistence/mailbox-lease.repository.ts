import type { Database } from '@easgate/persistence';
import { CommandLogEntity } from './command-log.entity';
import { MailboxLeaseEntity } from './mailbox-lease.entity';

/** Mailbox leases: who may work a mailbox's pending commands (one instance at a time). */
export class MailboxLeaseRepository {
  constructor(private readonly db: Database) {}

  /** Takes or renews the lease of one mailbox; false while another live instance holds it. */
  async claim(mailboxKey: string, owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
    const taken = await this.db.transaction((tx) =>
      tx
        .createQueryBuilder()
        .update(MailboxLeaseEntity)
        .set({ owner, expiresAt })
        .where('mailbox_key = :mailboxKey AND (owner = :owner OR expires_at < :now)', {
          mailboxKey,
          owner,
          now: now.toISOString(),
        })
        .execute(),
    );
    if ((taken.affected ?? 0) > 0) return true;
    try {
      await this.db.transaction((tx) =>
        tx.getRepository(MailboxLeaseEntity).insert({ mailboxKey, owner, expiresAt }),
      );
      return true;
    } catch (err) {
      // Another instance inserted it first: it holds the mailbox. Anything else is a real failure.
      const held = await this.db.read((m) => m.getRepository(MailboxLeaseEntity).findOneBy({ mailboxKey }));
      if (held) return false;
      throw err;
    }
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
    await this.db.transaction((tx) =>
      tx
        .createQueryBuilder()
        .delete()
        .from(MailboxLeaseEntity)
        .where('owner = :owner AND mailbox_key IN (:...keys)', { owner, keys: [...mailboxKeys] })
        .execute(),
    );
  }

  /**
   * Mailboxes with pending commands that this owner may work: unleased, leased by it, or whose
   * holder let the lease expire (stopped hard). The scan uses the (status, mailbox_key, seq) index.
   */
  async claimablePendingKeys(owner: string, now = new Date()): Promise<string[]> {
    const rows = await this.db.read((m) =>
      m
        .getRepository(CommandLogEntity)
        .createQueryBuilder('c')
        .select('DISTINCT c.mailbox_key', 'key')
        .leftJoin(MailboxLeaseEntity, 'l', 'l.mailbox_key = c.mailbox_key')
        .where('c.status = :status', { status: 'pending' })
        .andWhere('(l.mailbox_key IS NULL OR l.owner = :owner OR l.expires_at < :now)', {
          owner,
          now: now.toISOString(),
        })
        .getRawMany<{ key: string }>(),
    );
    return rows.map((r) => r.key);
  }
}
