import type { AlertKind, AlertSeverity } from '@easgate/contracts';
import type { Tx } from '@easgate/persistence';
import { In, type EntityManager } from 'typeorm';
import { ANY_TENANT } from '../domain/alert';
import type { Destination, Subscription } from '../domain/subscription';
import { SubscriptionEntity } from './entities';
import type { SecretSealer } from './secret-sealer';

export interface SubscriptionHealth {
  consecutiveFailures: number;
  lastError: string | null;
}

/** A destination as stored: a webhook's secret sealed. */
type StoredDestination =
  Exclude<Destination, { type: 'webhook' }> | { type: 'webhook'; url: string; sealedSecret?: string };

export class SubscriptionRepository {
  constructor(private readonly sealer: SecretSealer) {}

  private toDomain = (row: SubscriptionEntity): Subscription & SubscriptionHealth => ({
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    kinds: JSON.parse(row.kinds) as AlertKind[],
    minSeverity: row.minSeverity as AlertSeverity,
    destination: this.destinationOf(row),
    enabled: row.enabled,
    createdAt: row.createdAt,
    consecutiveFailures: row.consecutiveFailures,
    lastError: row.lastError,
  });

  private destinationOf(row: SubscriptionEntity): Destination {
    const stored = JSON.parse(row.destination) as StoredDestination;
    if (stored.type !== 'webhook') return stored;
    return { type: 'webhook', url: stored.url, secret: this.sealer.open(row.id, stored.sealedSecret) };
  }

  private storedDestination(id: string, destination: Destination): StoredDestination {
    if (destination.type !== 'webhook') return destination;
    return { type: 'webhook', url: destination.url, sealedSecret: this.sealer.seal(id, destination.secret) };
  }

  async list(tenant: string, m: EntityManager): Promise<(Subscription & SubscriptionHealth)[]> {
    return (
      await m.getRepository(SubscriptionEntity).find({ where: { tenant }, order: { createdAt: 'ASC' } })
    ).map(this.toDomain);
  }

  async findById(
    tenant: string,
    id: string,
    m: EntityManager,
  ): Promise<(Subscription & SubscriptionHealth) | undefined> {
    const row = await m.getRepository(SubscriptionEntity).findOneBy({ tenant, id });
    return row ? this.toDomain(row) : undefined;
  }

  /** Subscriptions that may receive a tenant's alerts: the tenant's own and the `*` ones. */
  async findEnabledFor(tenant: string, tx: Tx): Promise<Subscription[]> {
    const rows = await tx
      .getRepository(SubscriptionEntity)
      .findBy({ tenant: In([tenant, ANY_TENANT]), enabled: true });
    return rows.map(this.toDomain);
  }

  async findEnabledOfType(type: Destination['type'], m: EntityManager): Promise<Subscription[]> {
    return (await m.getRepository(SubscriptionEntity).findBy({ destinationType: type, enabled: true })).map(
      this.toDomain,
    );
  }

  async save(subscription: Subscription, tx: Tx): Promise<void> {
    const existing = await tx.getRepository(SubscriptionEntity).findOneBy({ id: subscription.id });
    await tx.getRepository(SubscriptionEntity).save(
      Object.assign(new SubscriptionEntity(), {
        ...subscription,
        kinds: JSON.stringify(subscription.kinds),
        destinationType: subscription.destination.type,
        destination: JSON.stringify(this.storedDestination(subscription.id, subscription.destination)),
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
