import {
  type CertificateEventKind,
  type CertificateLifecycleV1,
  Topics,
  certificateEventType,
  createCloudEvent,
} from '@easgate/contracts';
import type { Outbox } from '@easgate/messaging';
import type { Tx } from '@easgate/persistence';
import type { CertificateMetadata } from '../domain/certificate';
import { daysLeft } from '../domain/expiry-thresholds';

export const CERT_VAULT_SOURCE = 'urn:easgate:cert-vault';

export type LifecycleExtras = Pick<
  CertificateLifecycleV1,
  'thresholdDays' | 'rotationId' | 'previousCertificateId' | 'errors' | 'reason'
>;

/** Publishes a lifecycle event through the outbox, in the caller's transaction. Key: certificate id. */
export async function publishLifecycle(
  outbox: Outbox,
  tx: Tx,
  kind: CertificateEventKind,
  certificate: CertificateMetadata,
  now: Date,
  extras: Partial<LifecycleExtras> = {},
): Promise<void> {
  const data: CertificateLifecycleV1 = {
    kind,
    tenant: certificate.tenantId,
    connectionId: certificate.connectionId,
    certificateId: certificate.id,
    thumbprintSha1: certificate.thumbprintSha1,
    thumbprintSha256: certificate.thumbprintSha256,
    subject: certificate.subject,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    status: certificate.status,
    daysLeft: daysLeft(new Date(certificate.notAfter), now),
    ...extras,
  };
  const event = createCloudEvent({
    source: CERT_VAULT_SOURCE,
    type: certificateEventType(kind),
    subject: certificate.id,
    tenant: certificate.tenantId,
    time: now,
    data,
  });
  await outbox.enqueue(tx, Topics.CertificateLifecycle, certificate.id, event);
}
