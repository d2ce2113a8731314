import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'vault_tenant_connection' })
@Index('vault_tenant_connection_app', ['tenantId', 'appId'], { unique: true })
export class TenantConnectionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 64 })
  tenantId!: string;
  @Column({ name: 'app_id', type: 'varchar', length: 64 })
  appId!: string;
  @Column({ type: 'varchar', length: 255 })
  organization!: string;
  @Column({ type: 'varchar', length: 40 })
  cloud!: string;
  @Column({ name: 'authority_host', type: 'varchar', length: 500, nullable: true })
  authorityHost!: string | null;
  @Column({ name: 'exchange_endpoint', type: 'varchar', length: 500, nullable: true })
  exchangeEndpoint!: string | null;
  @Column({ name: 'graph_url', type: 'varchar', length: 500, nullable: true })
  graphUrl!: string | null;
  @Column({ name: 'application_object_id', type: 'varchar', length: 64, nullable: true })
  applicationObjectId!: string | null;
  @Column({ name: 'signing_algorithm', type: 'varchar', length: 10 })
  signingAlgorithm!: string;
  @Column({ name: 'created_at', type: 'varchar', length: 40 })
  createdAt!: string;
  @Column({ name: 'updated_at', type: 'varchar', length: 40 })
  updatedAt!: string;
}

/** A certificate: public parts in clear, private key and password sealed (envelope encryption). */
@Entity({ name: 'vault_certificate' })
@Index('vault_certificate_connection', ['connectionId', 'status'])
@Index('vault_certificate_thumbprint', ['connectionId', 'thumbprintSha1'], { unique: true })
export class CertificateEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 64 })
  tenantId!: string;
  @Column({ name: 'connection_id', type: 'varchar', length: 36 })
  connectionId!: string;
  @Column({ type: 'varchar', length: 20 })
  status!: string;
  @Column({ type: 'varchar', length: 20 })
  source!: string;
  @Column({ type: 'text' })
  subject!: string;
  @Column({ type: 'text' })
  issuer!: string;
  @Column({ name: 'serial_number', type: 'varchar', length: 100 })
  serialNumber!: string;
  @Column({ name: 'not_before', type: 'varchar', length: 40 })
  notBefore!: string;
  @Column({ name: 'not_after', type: 'varchar', length: 40 })
  notAfter!: string;
  @Column({ name: 'thumbprint_sha1', type: 'varchar', length: 40 })
  thumbprintSha1!: string;
  @Column({ name: 'thumbprint_sha256', type: 'varchar', length: 64 })
  thumbprintSha256!: string;
  @Column({ name: 'key_size', type: 'integer', nullable: true })
  keySize!: number | null;
  /** base64 DER of the leaf, then each issuer found with it (JSON array). Public. */
  @Column({ name: 'certificate_chain', type: 'text' })
  certificateChain!: string;
  @Column({ name: 'master_key_id', type: 'varchar', length: 40 })
  masterKeyId!: string;
  /** base64 of the sealed data key, private key and password. */
  @Column({ name: 'wrapped_data_key', type: 'text' })
  wrappedDataKey!: string;
  @Column({ name: 'sealed_private_key', type: 'text' })
  sealedPrivateKey!: string;
  @Column({ name: 'sealed_password', type: 'text', nullable: true })
  sealedPassword!: string | null;
  @Column({ name: 'graph_key_id', type: 'varchar', length: 64, nullable: true })
  graphKeyId!: string | null;
  @Column({ name: 'created_at', type: 'varchar', length: 40 })
  createdAt!: string;
  @Column({ name: 'activated_at', type: 'varchar', length: 40, nullable: true })
  activatedAt!: string | null;
  @Column({ name: 'retire_at', type: 'varchar', length: 40, nullable: true })
  retireAt!: string | null;
  @Column({ name: 'retired_at', type: 'varchar', length: 40, nullable: true })
  retiredAt!: string | null;
}

/** Which expiry thresholds were published for a certificate (0 = expired). */
@Entity({ name: 'vault_expiry_notice' })
export class ExpiryNoticeEntity {
  @PrimaryColumn({ name: 'certificate_id', type: 'varchar', length: 36 })
  certificateId!: string;
  @PrimaryColumn({ name: 'threshold_days', type: 'integer' })
  thresholdDays!: number;
  @Column({ name: 'recorded_at', type: 'varchar', length: 40 })
  recordedAt!: string;
  @Column({ type: 'boolean' })
  published!: boolean;
}

@Entity({ name: 'vault_audit_log' })
export class AuditLogEntity {
  @PrimaryColumn({ type: 'integer' })
  seq!: number;
  @Column({ type: 'varchar', length: 40 })
  at!: string;
  @Column({ type: 'varchar', length: 200 })
  actor!: string;
  @Column({ type: 'varchar', length: 100 })
  action!: string;
  @Column({ type: 'varchar', length: 10 })
  outcome!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 64, nullable: true })
  tenantId!: string | null;
  @Column({ name: 'connection_id', type: 'varchar', length: 36, nullable: true })
  connectionId!: string | null;
  @Column({ name: 'certificate_id', type: 'varchar', length: 36, nullable: true })
  certificateId!: string | null;
  @Column({ name: 'thumbprint_sha1', type: 'varchar', length: 40, nullable: true })
  thumbprintSha1!: string | null;
  @Column({ type: 'text', nullable: true })
  reason!: string | null;
  /** JSON object of scalar details. */
  @Column({ type: 'text', nullable: true })
  details!: string | null;
  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash!: string;
  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}

/** The chain head: one row, locked by each append so concurrent writers form one chain. */
@Entity({ name: 'vault_audit_head' })
export class AuditHeadEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;
  @Column({ type: 'integer' })
  seq!: number;
  @Column({ type: 'varchar', length: 64 })
  hash!: string;
  /** HMAC of (seq, hash) under the audit key; null before the first keyed append. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  mac!: string | null;
}

@Entity({ name: 'vault_rotation' })
@Index('vault_rotation_connection', ['connectionId', 'state'])
export class RotationEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 64 })
  tenantId!: string;
  @Column({ name: 'connection_id', type: 'varchar', length: 36 })
  connectionId!: string;
  @Column({ name: 'from_certificate_id', type: 'varchar', length: 36, nullable: true })
  fromCertificateId!: string | null;
  @Column({ name: 'to_certificate_id', type: 'varchar', length: 36 })
  toCertificateId!: string;
  @Column({ type: 'varchar', length: 20 })
  state!: string;
  @Column({ name: 'upload_to_entra', type: 'boolean' })
  uploadToEntra!: boolean;
  @Column({ name: 'graph_key_id', type: 'varchar', length: 64, nullable: true })
  graphKeyId!: string | null;
  @Column({ name: 'overlap_hours', type: 'integer' })
  overlapHours!: number;
  @Column({ type: 'text', nullable: true })
  reason!: string | null;
  @Column({ name: 'started_at', type: 'varchar', length: 40 })
  startedAt!: string;
  @Column({ name: 'finished_at', type: 'varchar', length: 40, nullable: true })
  finishedAt!: string | null;
}

export const certVaultEntities = [
  TenantConnectionEntity,
  CertificateEntity,
  ExpiryNoticeEntity,
  AuditLogEntity,
  AuditHeadEntity,
  RotationEntity,
];
