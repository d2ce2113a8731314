import type { AlertKind, AlertSeverity } from '@easgate/contracts';
import type { Tx } from '@easgate/persistence';
import { In, type EntityManager } from 'typeorm';
import { ANY_TENANT } from '../domain/alert';
import type { Destination, Subscription } from '../domain/subscription';
import { SubscriptionEntity } from './entities';

export interface SubscriptionHealth {
  consecutiveFailures: number;
  lastError: string | null;
}

function toDomain(row: SubscriptionEntity): Subscription & SubscriptionHealth {
  return {
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    kinds: JSON.parse(row.kinds) as AlertKind[],
    minSeverity: row.minSeverity as AlertSeverity,
    destination: JSON.parse(row.destination) as Destination,
    enabled: row.enabled,
    createdAt: row.createdAt,
    consecutiveFailures: row.consecutiveFailures,
    lastError: row.lastError,
  };
}

export class SubscriptionRepository {
  async list(tenant: string, m: EntityManager): Promise<(Subscription & SubscriptionHealth)[]> {
    return (
      await m.getRepository(SubscriptionEntity).find({ where: { tenant }, order: { createdAt: 'ASC' } })
    ).map(toDomain);
  }

  async findById(
    tenant: string,
    id: string,
    m: EntityManager,
  ): Promise<(Subscription & SubscriptionHealth) | undefined> {
    const row = await m.getRepository(SubscriptionEntity).findOneBy({ tenant, id });
    return row ? toDomain(row) : undefined;
  }

  /** Subscriptions that may receive a tenant's alerts: the tenant's own and the `*` ones. */
  async findEnabledFor(tenant: string, tx: Tx): Promise<Subscription[]> {
    const rows = await tx
      .getRepository(SubscriptionEntity)
      .findBy({ tenant: In([tenant, ANY_TENANT]), enabled: true });
    return rows.map(toDomain);
  }

  async findEnabledOfType(type: Destination['type'], m: EntityManager): Promise<Subscription[]> {
    return (await m.getRepository(SubscriptionEntity).findBy({ destinationType: type, enabled: true })).map(
      toDomain,
    );
  }

  async save(subscription: Subscription, tx: Tx): Promise<void> {
    const existing = await tx.getRepository(SubscriptionEntity).findOneBy({ id: subscription.id });
    await tx.getRepository(SubscriptionEntity).save(
      Object.assign(new SubscriptionEntity(), {
        ...subscription,
        kinds: JSON.stringify(subscription.kinds),
        destinationType: subscription.destination.type,
        destination: JSON.stringify(subscription.destination),
        consecutiveFailures: existing?.consecutiveFailures ?? 0,
        lastError: existing?.lastError ?? null,
      }),
    );
  }

  async recordOutcome(
    tenant: string,
    id: string,
    error: string | null,
    tx: Tx,
  ): Promise<SubscriptionHealth | undefined> {
    const repo = tx.getRepository(SubscriptionEntity);
    const row = await repo.findOneBy({ tenant, id });
    if (!row) return undefined;
    row.consecutiveFailures = error === null ? 0 : row.consecutiveFailures + 1;
    row.lastError = error;
    await repo.save(row);
    return { consecutiveFailures: row.consecutiveFailures, lastError: row.lastError };
  }

  async delete(tenant: string, id: string, tx: Tx): Promise<boolean> {
    const result = await tx.getRepository(SubscriptionEntity).delete({ tenant, id });
    return (result.affected ?? 0) > 0;
  }
}
