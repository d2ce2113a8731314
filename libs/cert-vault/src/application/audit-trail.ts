import type { Tx } from '@easgate/persistence';
import {
  type AuditFacts,
  type AuditRecord,
  type ChainVerification,
  verifyChain,
} from '../domain/audit-chain';
import type { Clock } from '../domain/clock';
import type { AuditQuery } from '../infra/audit-log.repository';
import type { VaultStores } from './vault-stores';

export type AuditEntry = Omit<AuditFacts, 'at'>;

/** Appends to and verifies the hash-chained audit log. */
export class AuditTrail {
  constructor(
    private readonly stores: VaultStores,
    private readonly clock: Clock,
  ) {}

  /** Inside the caller's transaction: the audit row exists only if the change does. */
  record(tx: Tx, entry: AuditEntry): Promise<AuditRecord> {
    return this.stores.audit.append(tx, { ...entry, at: this.clock.now().toISOString() });
  }

  /** In a transaction of its own: for failed attempts, whose own transaction rolled back. */
  recordAlone(entry: AuditEntry): Promise<AuditRecord> {
    return this.stores.db.transaction((tx) => this.record(tx, entry));
  }

  query(query: AuditQuery): Promise<AuditRecord[]> {
    return this.stores.db.read((m) => this.stores.audit.query(m, query));
  }

  /** Recomputes the whole chain (in one read transaction, so appends do not race the check). */
  verify(): Promise<ChainVerification> {
    return this.stores.db.transaction(async (tx) => {
      const head = await this.stores.audit.head(tx);
      const records: AuditRecord[] = [];
      for (let after = 0; ;) {
        const page = await this.stores.audit.page(tx, after, 1000);
        records.push(...page);
        if (page.length < 1000) break;
        after = page[page.length - 1].seq;
      }
      return verifyChain(records, head);
    });
  }
}

/** A failure as the audit log records it: the error code and message (never a secret). */
export function failureReason(err: unknown): string {
  const coded = err as { code?: unknown; message?: unknown };
  const message = typeof coded.message === 'string' ? coded.message : String(err);
  return typeof coded.code === 'string' ? `${coded.code}: ${message}` : message;
}
