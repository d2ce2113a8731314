import type { Database } from '@easgate/persistence';
import type { Outbox } from '@easgate/messaging';
import { AuditLogRepository } from '../infra/audit-log.repository';
import { CertificateRepository } from '../infra/certificate.repository';
import { ExpiryNoticeRepository } from '../infra/expiry-notice.repository';
import { RotationRepository } from '../infra/rotation.repository';
import { TenantConnectionRepository } from '../infra/tenant-connection.repository';

/** The vault's database, its repositories and its outbox: what every use case works with. */
export class VaultStores {
  readonly connections = new TenantConnectionRepository();
  readonly certificates = new CertificateRepository();
  readonly audit = new AuditLogRepository();
  readonly expiryNotices = new ExpiryNoticeRepository();
  readonly rotations = new RotationRepository();

  constructor(
    readonly db: Database,
    readonly outbox: Outbox,
  ) {}
}
