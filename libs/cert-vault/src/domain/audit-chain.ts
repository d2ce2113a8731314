import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditOutcome = 'success' | 'failure';

/** What happened, as the caller describes it (no secrets: never keys, passwords or assertions). */
export interface AuditFacts {
  readonly at: string;
  /** Who: the authenticated API caller (`user:alice`, `service:exchange-executor`) or `cert-vault` for its own jobs. */
  readonly actor: string;
  /** What: e.g. `assertion.sign`, `certificate.import`, `certificate.activate`, `rotation.complete`. */
  readonly action: string;
  readonly outcome: AuditOutcome;
  readonly tenantId?: string;
  readonly connectionId?: string;
  readonly certificateId?: string;
  readonly thumbprintSha1?: string;
  /** Why: the reason given, or the error code and message of a failed attempt. */
  readonly reason?: string;
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AuditRecord extends AuditFacts {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
  /** HMAC of (seq, hash) under the audit key (derived from a master key): absent on an unkeyed head. */
  readonly mac?: string | null;
}

/** The audit key: derived from a master key of the vault's key ring (HKDF-SHA256), never stored. */
export function auditKeyOf(masterKey: Buffer): Buffer {
  return Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), 'easgate cert-vault audit chain head', 32),
  );
}

/** HMAC-SHA256 over the head: whoever can write the database but lacks the key cannot forge it. */
export function headMac(auditKey: Buffer, head: { seq: number; hash: string }): string {
  return createHmac('sha256', auditKey).update(`easgate-audit-head\n${head.seq}\n${head.hash}`).digest('hex');
}

/** Whether `head.mac` was made by one of the keys (current or previous master keys). */
export function headMacValid(auditKeys: readonly Buffer[], head: ChainHead): boolean {
  if (!head.mac) return false;
  const presented = Buffer.from(head.mac, 'hex');
  return auditKeys.some((key) => {
    const expected = Buffer.from(headMac(key, head), 'hex');
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  });
}

/** A signed checkpoint of the chain, exported to an anchor outside the database. */
export interface AuditCheckpoint {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  readonly mac: string;
}

/** Deterministic JSON: keys sorted at every level, absent fields omitted. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function canonicalRow(seq: number, facts: AuditFacts): string {
  return canonicalJson({
    seq,
    at: facts.at,
    actor: facts.actor,
    action: facts.action,
    outcome: facts.outcome,
    tenantId: facts.tenantId,
    connectionId: facts.connectionId,
    certificateId: facts.certificateId,
    thumbprintSha1: facts.thumbprintSha1,
    reason: facts.reason,
    details: facts.details,
  });
}

/** hash = sha256(prevHash ‖ canonical row). */
export function chainHash(prevHash: string, seq: number, facts: AuditFacts): string {
  return createHash('sha256').update(prevHash).update(canonicalRow(seq, facts)).digest('hex');
}

/** The next record after `head` (seq 0 / genesis hash for an empty log). */
export function appendRecord(head: ChainHead, facts: AuditFacts): AuditRecord {
  const seq = head.seq + 1;
  return { ...facts, seq, prevHash: head.hash, hash: chainHash(head.hash, seq, facts) };
}

export interface ChainVerification {
  readonly valid: boolean;
  readonly checked: number;
  /** The first sequence number where the chain breaks. */
  readonly brokenAt?: number;
  readonly problem?: string;
}

/**
 * Recomputes the chain over the records (in seq order) and compares with the recorded head:
 * a changed row breaks its own hash, a deleted row leaves a gap and a prevHash that no longer
 * matches, a deleted tail no longer reaches the head.
 */
export function verifyChain(
  records: readonly AuditRecord[],
  head: ChainHead,
  keyed: { auditKeys: readonly Buffer[]; checkpoints?: readonly AuditCheckpoint[] } = { auditKeys: [] },
): ChainVerification {
  if (keyed.auditKeys.length > 0 && head.seq > 0 && !headMacValid(keyed.auditKeys, head))
    return broken(
      records,
      head.seq,
      'the chain head is not authenticated by the audit key (rewritten or forged)',
    );
  const checkpointAt = new Map((keyed.checkpoints ?? []).map((c) => [c.seq, c]));
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const record of records) {
    const checkpoint = checkpointAt.get(record.seq);
    if (checkpoint && checkpoint.hash !== record.hash)
      return broken(
        records,
        record.seq,
        `row ${record.seq} differs from the exported checkpoint of ${checkpoint.at}`,
      );
    if (record.seq !== expectedSeq) {
      return broken(records, expectedSeq, `row ${expectedSeq} is missing (next row found is ${record.seq})`);
    }
    if (record.prevHash !== expectedPrev) {
      return broken(records, record.seq, `row ${record.seq} does not follow the row before it`);
    }
    if (chainHash(record.prevHash, record.seq, record) !== record.hash) {
      return broken(records, record.seq, `row ${record.seq} was changed after it was written`);
    }
    expectedPrev = record.hash;
    expectedSeq++;
  }
  const beyond = (keyed.checkpoints ?? []).find((c) => c.seq > head.seq);
  if (beyond)
    return broken(
      records,
      head.seq + 1,
      `the log ends at row ${head.seq} but a checkpoint reached row ${beyond.seq}`,
    );
  if (head.seq !== expectedSeq - 1 || head.hash !== expectedPrev) {
    return broken(
      records,
      expectedSeq,
      `the log ends at row ${expectedSeq - 1} but the chain head is row ${head.seq}`,
    );
  }
  return { valid: true, checked: records.length };
}

function broken(records: readonly AuditRecord[], brokenAt: number, problem: string): ChainVerification {
  return { valid: false, checked: records.length, brokenAt, problem };
}
