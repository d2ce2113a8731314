import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Tx } from '@easgate/persistence';
import {
  type AuditCheckpoint,
  type AuditFacts,
  type AuditRecord,
  type ChainVerification,
  headMac,
  verifyChain,
} from '../domain/audit-chain';
import type { Clock } from '../domain/clock';
import type { AuditQuery } from '../infra/audit-log.repository';
import { VaultError, VaultErrorCode } from '../domain/vault-error';
import type { VaultStores } from './vault-stores';

export type AuditEntry = Omit<AuditFacts, 'at'>;

/** Appends to and verifies the hash-chained audit log. */
export interface AuditKeys {
  /** Keys the head (derived from the current master key). */
  readonly current: Buffer;
  /** Every key a head may have been keyed with (current and previous master keys). */
  readonly all: readonly Buffer[];
}

interface PendingEntry {
  readonly facts: AuditFacts;
  readonly resolve: (record: AuditRecord) => void;
  readonly reject: (err: unknown) => void;
}

export class AuditTrail {
  private pending: PendingEntry[] = [];
  private flushing = false;

  constructor(
    private readonly stores: VaultStores,
    private readonly clock: Clock,
    private readonly keys?: AuditKeys,
    /** Where signed checkpoints are exported (VAULT_AUDIT_CHECKPOINT_FILE): an anchor outside the database. */
    private readonly checkpointFile?: string,
  ) {}

  /** Inside the caller's transaction: the audit row exists only if the change does. */
  record(tx: Tx, entry: AuditEntry): Promise<AuditRecord> {
    const key = this.keys?.current;
    return this.stores.audit.append(
      tx,
      { ...entry, at: this.clock.now().toISOString() },
      key ? (head) => headMac(key, head) : undefined,
    );
  }

  /**
   * In a group commit of its own: entries arriving while one commit runs are appended together in the
   * next (one transaction, one head update), so a burst of signatures costs a few commits, not one each.
   * Resolves once the entry's transaction committed; a failed commit rejects every entry in it.
   */
  recordCommitted(entry: AuditEntry): Promise<AuditRecord> {
    return new Promise((resolve, reject) => {
      this.pending.push({ facts: { ...entry, at: this.clock.now().toISOString() }, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, 500);
        const key = this.keys?.current;
        try {
          const records = await this.stores.db.transaction((tx) =>
            this.stores.audit.appendMany(
              tx,
              batch.map((p) => p.facts),
              key ? (head) => headMac(key, head) : undefined,
            ),
          );
          batch.forEach((p, i) => p.resolve(records[i]));
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Appends the current head, signed, to the checkpoint file and returns it. */
  async checkpoint(): Promise<AuditCheckpoint> {
    const head = await this.stores.db.read((m) => this.stores.audit.head(m));
    const key = this.keys?.current;
    if (!key || !this.checkpointFile)
      throw new VaultError(
        VaultErrorCode.InvalidRequest,
        'checkpoints need VAULT_AUDIT_CHECKPOINT_FILE (and a master key)',
      );
    const checkpoint: AuditCheckpoint = {
      seq: head.seq,
      hash: head.hash,
      at: this.clock.now().toISOString(),
      mac: headMac(key, head),
    };
    appendFileSync(this.checkpointFile, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
    return checkpoint;
  }

  private checkpoints(): AuditCheckpoint[] {
    if (!this.checkpointFile || !existsSync(this.checkpointFile)) return [];
    return readFileSync(this.checkpointFile, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as AuditCheckpoint);
  }

  /** In a transaction of its own: for failed attempts, whose own transaction rolled back. */
  recordAlone(entry: AuditEntry): Promise<AuditRecord> {
    return this.stores.db.transaction((tx) => this.record(tx, entry));
  }

  query(query: AuditQuery): Promise<AuditRecord[]> {
    return this.stores.db.read((m) => this.stores.audit.query(m, query));
  }

  /**
   * Recomputes the chain up to the head read first: rows appended meanwhile are past that head and
   * left for the next check, so concurrent appends never look like tampering. The head must carry a
   * valid MAC, and every exported checkpoint must match the chain.
   */
  verify(): Promise<ChainVerification> {
    const checkpoints = this.checkpoints();
    return this.stores.db.transaction(async (tx) => {
      const head = await this.stores.audit.head(tx);
      const records: AuditRecord[] = [];
      for (let after = 0; ;) {
        const page = await this.stores.audit.page(tx, after, 1000, head.seq);
        records.push(...page);
        if (page.length < 1000) break;
        after = page[page.length - 1].seq;
      }
      return verifyChain(records, head, { auditKeys: this.keys?.all ?? [], checkpoints });
    });
  }
}

/** A failure as the audit log records it: the error code and message (never a secret). */
export function failureReason(err: unknown): string {
  const coded = err as { code?: unknown; message?: unknown };
  const message = typeof coded.message === 'string' ? coded.message : String(err);
  return typeof coded.code === 'string' ? `${coded.code}: ${message}` : message;
}
