import type { Tx } from '@easgate/persistence';
import { In, LessThanOrEqual } from 'typeorm';
import type { CertificateMetadata, CertificateStatus } from '../domain/certificate';
import type { SealedSecrets } from '../domain/envelope-encryption';
import { CertificateEntity } from './entities';

/** A certificate as stored: metadata, the public chain, the sealed secrets. */
export interface StoredCertificate extends CertificateMetadata {
  /** DER: leaf first, then the issuers found with it. */
  readonly chainDer: Buffer[];
  readonly sealed: SealedSecrets;
}

export class CertificateRepository {
  async insert(tx: Tx, certificate: StoredCertificate): Promise<void> {
    await tx.getRepository(CertificateEntity).insert(toRow(certificate));
  }

  async save(tx: Tx, certificate: StoredCertificate): Promise<void> {
    await tx.getRepository(CertificateEntity).save(toRow(certificate));
  }

  async findById(tx: Tx, tenantId: string, certificateId: string): Promise<StoredCertificate | undefined> {
    const row = await tx.getRepository(CertificateEntity).findOneBy({ tenantId, id: certificateId });
    return row ? fromRow(row) : undefined;
  }

  async findActive(tx: Tx, tenantId: string, connectionId: string): Promise<StoredCertificate | undefined> {
    const row = await tx
      .getRepository(CertificateEntity)
      .findOneBy({ tenantId, connectionId, status: 'active' });
    return row ? fromRow(row) : undefined;
  }

  async findByThumbprint(
    tx: Tx,
    tenantId: string,
    connectionId: string,
    thumbprintSha1: string,
  ): Promise<StoredCertificate | undefined> {
    const row = await tx
      .getRepository(CertificateEntity)
      .findOneBy({ tenantId, connectionId, thumbprintSha1 });
    return row ? fromRow(row) : undefined;
  }

  async listByConnection(tx: Tx, tenantId: string, connectionId: string): Promise<StoredCertificate[]> {
    const rows = await tx
      .getRepository(CertificateEntity)
      .find({ where: { tenantId, connectionId }, order: { createdAt: 'ASC' } });
    return rows.map(fromRow);
  }

  /** Across tenants: the expiry scanner's work list. */
  async listWithStatus(tx: Tx, statuses: CertificateStatus[]): Promise<StoredCertificate[]> {
    const rows = await tx
      .getRepository(CertificateEntity)
      .find({ where: { status: In(statuses) }, order: { notAfter: 'ASC' } });
    return rows.map(fromRow);
  }

  /** Across tenants: replaced certificates whose overlap window has ended. */
  async listRetiringDue(tx: Tx, now: string): Promise<StoredCertificate[]> {
    const rows = await tx
      .getRepository(CertificateEntity)
      .find({ where: { status: 'retiring', retireAt: LessThanOrEqual(now) } });
    return rows.map(fromRow);
  }

  /** Across tenants: data keys wrapped by a master key other than `currentKeyId`. */
  async listWrappedByOtherKeys(tx: Tx, currentKeyId: string, limit: number): Promise<StoredCertificate[]> {
    const rows = await tx
      .getRepository(CertificateEntity)
      .createQueryBuilder('c')
      .where('c.master_key_id <> :currentKeyId', { currentKeyId })
      .orderBy('c.id', 'ASC')
      .limit(limit)
      .getMany();
    return rows.map(fromRow);
  }

  async countByConnection(tx: Tx, tenantId: string, connectionId: string): Promise<number> {
    return tx.getRepository(CertificateEntity).countBy({ tenantId, connectionId });
  }
}

const b64 = (b: Buffer) => b.toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64');

function toRow(c: StoredCertificate): CertificateEntity {
  return Object.assign(new CertificateEntity(), {
    id: c.id,
    tenantId: c.tenantId,
    connectionId: c.connectionId,
    status: c.status,
    source: c.source,
    subject: c.subject,
    issuer: c.issuer,
    serialNumber: c.serialNumber,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    thumbprintSha1: c.thumbprintSha1,
    thumbprintSha256: c.thumbprintSha256,
    keySize: c.keySize,
    certificateChain: JSON.stringify(c.chainDer.map(b64)),
    masterKeyId: c.sealed.masterKeyId,
    wrappedDataKey: b64(c.sealed.wrappedDataKey),
    sealedPrivateKey: b64(c.sealed.privateKey),
    sealedPassword: c.sealed.password ? b64(c.sealed.password) : null,
    graphKeyId: c.graphKeyId ?? null,
    createdAt: c.createdAt,
    activatedAt: c.activatedAt ?? null,
    retireAt: c.retireAt ?? null,
    retiredAt: c.retiredAt ?? null,
  });
}

function fromRow(r: CertificateEntity): StoredCertificate {
  const chainDer = (JSON.parse(r.certificateChain) as string[]).map(unb64);
  return {
    id: r.id,
    tenantId: r.tenantId,
    connectionId: r.connectionId,
    status: r.status as CertificateStatus,
    source: r.source as 'created' | 'imported',
    subject: r.subject,
    issuer: r.issuer,
    serialNumber: r.serialNumber,
    notBefore: r.notBefore,
    notAfter: r.notAfter,
    thumbprintSha1: r.thumbprintSha1,
    thumbprintSha256: r.thumbprintSha256,
    keySize: r.keySize,
    chainLength: chainDer.length,
    createdAt: r.createdAt,
    ...(r.activatedAt !== null && { activatedAt: r.activatedAt }),
    ...(r.retireAt !== null && { retireAt: r.retireAt }),
    ...(r.retiredAt !== null && { retiredAt: r.retiredAt }),
    ...(r.graphKeyId !== null && { graphKeyId: r.graphKeyId }),
    chainDer,
    sealed: {
      masterKeyId: r.masterKeyId,
      wrappedDataKey: unb64(r.wrappedDataKey),
      privateKey: unb64(r.sealedPrivateKey),
      ...(r.sealedPassword !== null && { password: unb64(r.sealedPassword) }),
    },
  };
}

/** Metadata only: what the API may show. */
export function metadataOf(c: StoredCertificate): CertificateMetadata {
  const { chainDer: _chain, sealed: _sealed, ...metadata } = c;
  return metadata;
}
