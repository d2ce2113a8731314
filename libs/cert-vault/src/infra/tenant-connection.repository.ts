import type { Tx } from '@easgate/persistence';
import type { SigningAlgorithm, TenantConnection } from '../domain/certificate';
import { TenantConnectionEntity } from './entities';

export class TenantConnectionRepository {
  async insert(tx: Tx, connection: TenantConnection): Promise<void> {
    await tx.getRepository(TenantConnectionEntity).insert(toRow(connection));
  }

  async update(tx: Tx, connection: TenantConnection): Promise<void> {
    await tx.getRepository(TenantConnectionEntity).save(toRow(connection));
  }

  /** Connection ids are UUIDs: the id alone finds it (the signing contract addresses it so). */
  async findById(
    tx: Tx,
    connectionId: string,
    options: { lock?: boolean } = {},
  ): Promise<TenantConnection | undefined> {
    const qb = tx
      .getRepository(TenantConnectionEntity)
      .createQueryBuilder('c')
      .where('c.id = :connectionId', { connectionId });
    if (options.lock && tx.connection.options.type === 'postgres') qb.setLock('pessimistic_write');
    const row = await qb.getOne();
    return row ? fromRow(row) : undefined;
  }

  async list(tx: Tx, tenantId?: string): Promise<TenantConnection[]> {
    const rows = await tx.getRepository(TenantConnectionEntity).find({
      where: tenantId ? { tenantId } : {},
      order: { createdAt: 'ASC' },
    });
    return rows.map(fromRow);
  }

  async delete(tx: Tx, tenantId: string, connectionId: string): Promise<void> {
    await tx.getRepository(TenantConnectionEntity).delete({ tenantId, id: connectionId });
  }
}

function toRow(c: TenantConnection): TenantConnectionEntity {
  return Object.assign(new TenantConnectionEntity(), {
    id: c.id,
    tenantId: c.tenantId,
    appId: c.appId,
    organization: c.organization,
    cloud: c.cloud,
    authorityHost: c.authorityHost ?? null,
    exchangeEndpoint: c.exchangeEndpoint ?? null,
    graphUrl: c.graphUrl ?? null,
    applicationObjectId: c.applicationObjectId ?? null,
    signingAlgorithm: c.signingAlgorithm,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  });
}

function fromRow(r: TenantConnectionEntity): TenantConnection {
  return {
    id: r.id,
    tenantId: r.tenantId,
    appId: r.appId,
    organization: r.organization,
    cloud: r.cloud,
    ...(r.authorityHost !== null && { authorityHost: r.authorityHost }),
    ...(r.exchangeEndpoint !== null && { exchangeEndpoint: r.exchangeEndpoint }),
    ...(r.graphUrl !== null && { graphUrl: r.graphUrl }),
    ...(r.applicationObjectId !== null && { applicationObjectId: r.applicationObjectId }),
    signingAlgorithm: r.signingAlgorithm as SigningAlgorithm,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
