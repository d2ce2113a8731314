import { type BulkColumn, bulkInsert } from '@easgate/messaging';
import type { Tx } from '@easgate/persistence';
import { type AuditFacts, type AuditRecord, type ChainHead, appendRecord } from '../domain/audit-chain';
import { AuditHeadEntity, AuditLogEntity } from './entities';

export interface AuditQuery {
  readonly tenantId?: string;
  readonly connectionId?: string;
  readonly certificateId?: string;
  readonly action?: string;
  readonly actor?: string;
  readonly outcome?: 'success' | 'failure';
  /** ISO instants: `from` inclusive, `to` exclusive (rows' `at` are ISO strings of one format). */
  readonly from?: string;
  readonly to?: string;
  /** Oldest first (default) or newest first. */
  readonly order?: 'asc' | 'desc';
  readonly afterSeq?: number;
  readonly beforeSeq?: number;
  readonly limit: number;
}

/** The append-only, hash-chained audit log. Appending locks the head row: one chain, no forks. */
export class AuditLogRepository {
  /** `macOf` keys the new head (HMAC under the audit key). */
  async append(
    tx: Tx,
    facts: AuditFacts,
    macOf?: (head: { seq: number; hash: string }) => string,
  ): Promise<AuditRecord> {
    const [record] = await this.appendMany(tx, [facts], macOf);
    return record;
  }

  /** Appends several records in order with one head read, one insert and one head update. */
  async appendMany(
    tx: Tx,
    facts: readonly AuditFacts[],
    macOf?: (head: { seq: number; hash: string }) => string,
  ): Promise<AuditRecord[]> {
    if (facts.length === 0) return [];
    const qb = tx.getRepository(AuditHeadEntity).createQueryBuilder('h').where('h.id = 1');
    if (tx.connection.options.type === 'postgres') qb.setLock('pessimistic_write');
    const head = await qb.getOneOrFail();
    const records: AuditRecord[] = [];
    let last: ChainHead = { seq: head.seq, hash: head.hash };
    for (const f of facts) {
      const record = appendRecord(last, f);
      records.push(record);
      last = record;
    }
    // One statement for the lot, not TypeORM's insert builder, whose per-row work cost more than the
    // hashing (the signing path appends a record per signature).
    await bulkInsert(tx, 'vault_audit_log', COLUMNS, records.map(toValues));
    await tx
      .getRepository(AuditHeadEntity)
      .update({ id: 1 }, { seq: last.seq, hash: last.hash, mac: macOf ? macOf(last) : null });
    return records;
  }

  async head(tx: Tx): Promise<ChainHead> {
    const head = await tx.getRepository(AuditHeadEntity).findOneByOrFail({ id: 1 });
    return { seq: head.seq, hash: head.hash, mac: head.mac };
  }

  async query(tx: Tx, query: AuditQuery): Promise<AuditRecord[]> {
    const qb = tx
      .getRepository(AuditLogEntity)
      .createQueryBuilder('a')
      .orderBy('a.seq', query.order === 'desc' ? 'DESC' : 'ASC')
      .limit(query.limit);
    if (query.tenantId) qb.andWhere('a.tenant_id = :tenantId', { tenantId: query.tenantId });
    if (query.connectionId)
      qb.andWhere('a.connection_id = :connectionId', { connectionId: query.connectionId });
    if (query.certificateId)
      qb.andWhere('a.certificate_id = :certificateId', { certificateId: query.certificateId });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.actor) qb.andWhere('a.actor = :actor', { actor: query.actor });
    if (query.outcome) qb.andWhere('a.outcome = :outcome', { outcome: query.outcome });
    if (query.from) qb.andWhere('a.at >= :from', { from: query.from });
    if (query.to) qb.andWhere('a.at < :to', { to: query.to });
    if (query.afterSeq !== undefined) qb.andWhere('a.seq > :afterSeq', { afterSeq: query.afterSeq });
    if (query.beforeSeq !== undefined) qb.andWhere('a.seq < :beforeSeq', { beforeSeq: query.beforeSeq });
    return (await qb.getMany()).map(fromRow);
  }

  /** A page of the log in order up to `untilSeq` (the head read first), for verification. */
  async page(
    tx: Tx,
    afterSeq: number,
    limit: number,
    untilSeq = Number.MAX_SAFE_INTEGER,
  ): Promise<AuditRecord[]> {
    const rows = await tx
      .getRepository(AuditLogEntity)
      .createQueryBuilder('a')
      .where('a.seq > :afterSeq', { afterSeq })
      .andWhere('a.seq <= :untilSeq', { untilSeq })
      .orderBy('a.seq', 'ASC')
      .limit(limit)
      .getMany();
    return rows.map(fromRow);
  }
}

/** The columns of `vault_audit_log` (see AuditLogEntity), in the order of {@link toValues}. */
const COLUMNS: readonly BulkColumn[] = [
  { name: 'seq', type: 'int' },
  ...[
    'at',
    'actor',
    'action',
    'outcome',
    'tenant_id',
    'connection_id',
    'certificate_id',
    'thumbprint_sha1',
    'reason',
    'details',
    'prev_hash',
    'hash',
  ].map((name): BulkColumn => ({ name, type: 'text' })),
];

function toValues(r: AuditRecord): (string | number | null)[] {
  return [
    r.seq,
    r.at,
    r.actor,
    r.action,
    r.outcome,
    r.tenantId ?? null,
    r.connectionId ?? null,
    r.certificateId ?? null,
    r.thumbprintSha1 ?? null,
    r.reason ?? null,
    r.details ? JSON.stringify(r.details) : null,
    r.prevHash,
    r.hash,
  ];
}

function fromRow(r: AuditLogEntity): AuditRecord {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    outcome: r.outcome as AuditRecord['outcome'],
    ...(r.tenantId !== null && { tenantId: r.tenantId }),
    ...(r.connectionId !== null && { connectionId: r.connectionId }),
    ...(r.certificateId !== null && { certificateId: r.certificateId }),
    ...(r.thumbprintSha1 !== null && { thumbprintSha1: r.thumbprintSha1 }),
    ...(r.reason !== null && { reason: r.reason }),
    ...(r.details !== null && { details: JSON.parse(r.details) as AuditRecord['details'] }),
    prevHash: r.prevHash,
    hash: r.hash,
  };
}
