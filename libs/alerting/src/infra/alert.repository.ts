import type { AlertKind, AlertSeverity } from '@easgate/contracts';
import type { Tx } from '@easgate/persistence';
import type { EntityManager } from 'typeorm';
import type { Alert } from '../domain/alert';
import { AlertEntity } from './entities';

export interface AlertFilter {
  status?: 'firing' | 'resolved';
  kind?: AlertKind;
  severity?: AlertSeverity;
  limit?: number;
}

function toDomain(row: AlertEntity): Alert {
  return {
    fingerprint: row.fingerprint,
    tenant: row.tenant,
    kind: row.kind as AlertKind,
    labels: JSON.parse(row.labels) as Record<string, string>,
    severity: row.severity as AlertSeverity,
    summary: row.summary,
    description: row.description,
    runbook: row.runbook,
    status: row.status as Alert['status'],
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    lastSeenAt: row.lastSeenAt,
    clearingSince: row.clearingSince,
    occurrences: row.occurrences,
    revision: row.revision,
    flaps: row.flaps,
    acknowledgedAt: row.acknowledgedAt,
    acknowledgedBy: row.acknowledgedBy,
    silencedUntil: row.silencedUntil,
  };
}

function toRow(alert: Alert): AlertEntity {
  return Object.assign(new AlertEntity(), { ...alert, labels: JSON.stringify(alert.labels) });
}

/** Alerts by tenant; the fingerprint already includes the tenant, the tenant filter keeps tenants apart. */
export class AlertRepository {
  async findByFingerprint(tenant: string, fingerprint: string, m: EntityManager): Promise<Alert | undefined> {
    const row = await m.getRepository(AlertEntity).findOneBy({ tenant, fingerprint });
    return row ? toDomain(row) : undefined;
  }

  /**
   * The alert to change, locked on PostgreSQL so that a handler and the sweep changing the same
   * alert take turns (SQLite transactions are already serialized).
   */
  async findForUpdate(tenant: string, fingerprint: string, tx: Tx): Promise<Alert | undefined> {
    const locking = tx.connection.options.type === 'postgres';
    const row = await tx.getRepository(AlertEntity).findOne({
      where: { tenant, fingerprint },
      ...(locking && { lock: { mode: 'pessimistic_write' as const } }),
    });
    return row ? toDomain(row) : undefined;
  }

  async findFiringOfKind(tenant: string, kind: AlertKind, tx: Tx): Promise<Alert[]> {
    const rows = await tx.getRepository(AlertEntity).findBy({ tenant, kind, status: 'firing' });
    return rows.map(toDomain);
  }

  async list(tenant: string, filter: AlertFilter, m: EntityManager): Promise<Alert[]> {
    const rows = await m.getRepository(AlertEntity).find({
      where: {
        tenant,
        ...(filter.status && { status: filter.status }),
        ...(filter.kind && { kind: filter.kind }),
        ...(filter.severity && { severity: filter.severity }),
      },
      order: { startsAt: 'DESC' },
      take: filter.limit ?? 100,
    });
    return rows.map(toDomain);
  }

  /** Firing alerts of every tenant whose clear is being held back (the sweeper resolves them). */
  async findClearingAcrossTenants(tx: Tx): Promise<Alert[]> {
    const rows = await tx
      .getRepository(AlertEntity)
      .createQueryBuilder('a')
      .where("a.status = 'firing' AND a.clearing_since IS NOT NULL")
      .getMany();
    return rows.map(toDomain);
  }

  async findFiringAcrossTenants(m: EntityManager): Promise<Alert[]> {
    return (await m.getRepository(AlertEntity).findBy({ status: 'firing' })).map(toDomain);
  }

  async countFiringBy(m: EntityManager): Promise<{ kind: string; severity: string; count: number }[]> {
    const rows = await m
      .getRepository(AlertEntity)
      .createQueryBuilder('a')
      .select('a.kind', 'kind')
      .addSelect('a.severity', 'severity')
      .addSelect('COUNT(*)', 'count')
      .where("a.status = 'firing'")
      .groupBy('a.kind')
      .addGroupBy('a.severity')
      .getRawMany<{ kind: string; severity: string; count: string | number }>();
    return rows.map((r) => ({ kind: r.kind, severity: r.severity, count: Number(r.count) }));
  }

  async save(alert: Alert, tx: Tx): Promise<void> {
    await tx.getRepository(AlertEntity).save(toRow(alert));
  }

  /** Forgets alerts resolved before `cutoff` (every tenant: retention). */
  async purgeResolvedBeforeAcrossTenants(cutoff: Date, tx: Tx): Promise<void> {
    await tx
      .getRepository(AlertEntity)
      .createQueryBuilder()
      .delete()
      .where("status = 'resolved' AND ends_at < :cutoff", { cutoff: cutoff.toISOString() })
      .execute();
  }
}
