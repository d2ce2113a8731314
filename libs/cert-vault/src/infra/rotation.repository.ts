import type { Tx } from '@easgate/persistence';
import type { Rotation, RotationState } from '../domain/rotation';
import { RotationEntity } from './entities';

export class RotationRepository {
  async save(tx: Tx, rotation: Rotation): Promise<void> {
    await tx.getRepository(RotationEntity).save(
      Object.assign(new RotationEntity(), {
        id: rotation.id,
        tenantId: rotation.tenantId,
        connectionId: rotation.connectionId,
        fromCertificateId: rotation.fromCertificateId ?? null,
        toCertificateId: rotation.toCertificateId,
        state: rotation.state,
        uploadToEntra: rotation.uploadToEntra,
        graphKeyId: rotation.graphKeyId ?? null,
        overlapHours: rotation.overlapHours,
        reason: rotation.reason ?? null,
        startedAt: rotation.startedAt,
        finishedAt: rotation.finishedAt ?? null,
      }),
    );
  }

  async findById(tx: Tx, tenantId: string, rotationId: string): Promise<Rotation | undefined> {
    const row = await tx.getRepository(RotationEntity).findOneBy({ tenantId, id: rotationId });
    return row ? fromRow(row) : undefined;
  }

  async findUnfinished(tx: Tx, tenantId: string, connectionId: string): Promise<Rotation | undefined> {
    const rows = await tx.getRepository(RotationEntity).findBy({ tenantId, connectionId });
    const open = rows.find((r) => r.state === 'started' || r.state === 'key-added');
    return open ? fromRow(open) : undefined;
  }

  async listByConnection(tx: Tx, tenantId: string, connectionId: string): Promise<Rotation[]> {
    const rows = await tx
      .getRepository(RotationEntity)
      .find({ where: { tenantId, connectionId }, order: { startedAt: 'ASC' } });
    return rows.map(fromRow);
  }
}

function fromRow(r: RotationEntity): Rotation {
  return {
    id: r.id,
    tenantId: r.tenantId,
    connectionId: r.connectionId,
    ...(r.fromCertificateId !== null && { fromCertificateId: r.fromCertificateId }),
    toCertificateId: r.toCertificateId,
    state: r.state as RotationState,
    uploadToEntra: Boolean(r.uploadToEntra),
    ...(r.graphKeyId !== null && { graphKeyId: r.graphKeyId }),
    overlapHours: r.overlapHours,
    ...(r.reason !== null && { reason: r.reason }),
    startedAt: r.startedAt,
    ...(r.finishedAt !== null && { finishedAt: r.finishedAt }),
  };
}
