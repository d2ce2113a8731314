import type { OpsAlertV1 } from '@easgate/contracts';
import type { Tx } from '@easgate/persistence';
import type { EntityManager } from 'typeorm';
import { DeliveryEntity } from './entities';

export interface Delivery {
  id: number;
  subscriptionId: string;
  tenant: string;
  fingerprint: string;
  revision: number;
  alert: OpsAlertV1;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

function toDomain(row: DeliveryEntity): Delivery {
  return {
    id: row.id,
    subscriptionId: row.subscriptionId,
    tenant: row.tenant,
    fingerprint: row.fingerprint,
    revision: row.revision,
    alert: JSON.parse(row.payload) as OpsAlertV1,
    state: row.state as Delivery['state'],
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
    createdAt: row.createdAt,
    deliveredAt: row.deliveredAt,
  };
}

export class DeliveryRepository {
  /** One delivery per subscription and alert revision: a second enqueue of the same is ignored. */
  async enqueue(tenant: string, subscriptionId: string, alert: OpsAlertV1, now: Date, tx: Tx): Promise<void> {
    const repo = tx.getRepository(DeliveryEntity);
    if (await repo.existsBy({ subscriptionId, fingerprint: alert.fingerprint, revision: alert.revision }))
      return;
    await repo.insert({
      subscriptionId,
      tenant,
      fingerprint: alert.fingerprint,
      revision: alert.revision,
      alertStatus: alert.status,
      payload: JSON.stringify(alert),
      state: 'pending',
      attempts: 0,
      nextAttemptAt: now.toISOString(),
      lastError: null,
      createdAt: now.toISOString(),
      deliveredAt: null,
    });
  }

  async findDueAcrossTenants(now: Date, limit: number, m: EntityManager): Promise<Delivery[]> {
    const rows = await m
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      .where("d.state = 'pending' AND d.next_attempt_at <= :now", { now: now.toISOString() })
      .orderBy('d.id', 'ASC')
      .limit(limit)
      .getMany();
    return rows.map(toDomain);
  }

  async listForSubscription(
    tenant: string,
    subscriptionId: string,
    limit: number,
    m: EntityManager,
  ): Promise<Delivery[]> {
    const rows = await m.getRepository(DeliveryEntity).find({
      where: { tenant, subscriptionId },
      order: { id: 'DESC' },
      take: limit,
    });
    return rows.map(toDomain);
  }

  async markDelivered(tenant: string, id: number, attempts: number, now: Date, tx: Tx): Promise<void> {
    await tx
      .getRepository(DeliveryEntity)
      .update(
        { tenant, id },
        { state: 'delivered', attempts, deliveredAt: now.toISOString(), lastError: null },
      );
  }

  async markFailed(
    tenant: string,
    id: number,
    attempts: number,
    error: string,
    nextAttemptAt: Date | null,
    tx: Tx,
  ): Promise<void> {
    await tx.getRepository(DeliveryEntity).update(
      { tenant, id },
      {
        state: nextAttemptAt === null ? 'failed' : 'pending',
        attempts,
        lastError: error.slice(0, 2000),
        ...(nextAttemptAt !== null && { nextAttemptAt: nextAttemptAt.toISOString() }),
      },
    );
  }

  /** Forgets finished deliveries created before `cutoff` (every tenant: retention). */
  async purgeFinishedBeforeAcrossTenants(cutoff: Date, tx: Tx): Promise<void> {
    await tx
      .getRepository(DeliveryEntity)
      .createQueryBuilder()
      .delete()
      .where("state <> 'pending' AND created_at < :cutoff", { cutoff: cutoff.toISOString() })
      .execute();
  }
}
