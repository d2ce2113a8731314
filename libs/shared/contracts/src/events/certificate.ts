import { z } from 'zod';

/**
 * Certificate lifecycle events (cert-vault → alerting, console) on `Topics.CertificateLifecycle`.
 * Kafka key: the certificate id. Never carries key material, passwords or assertions.
 */
export const CertificateEventKinds = [
  'created',
  'validated',
  'activated',
  'expiring',
  'expired',
  'rotation-started',
  'rotated',
  'retired',
  'validation-failed',
] as const;
export type CertificateEventKind = (typeof CertificateEventKinds)[number];

/** CloudEvent `type` of each kind: `io.easgate.cert.<kind>`. */
export function certificateEventType(kind: CertificateEventKind): string {
  return `io.easgate.cert.${kind}`;
}

/** The expiry thresholds (days before notAfter) at which `expiring` is published, most distant first. */
export const CertificateExpiryThresholds = [30, 14, 7, 1] as const;

const isoDate = z.iso.datetime({ offset: true });
const hexThumbprint = (length: number) => z.string().regex(new RegExp(`^[0-9A-F]{${length}}$`));

/** Data of every `easgate.cert.lifecycle.v1` event. */
export const CertificateLifecycleV1 = z.object({
  kind: z.enum(CertificateEventKinds),
  /** Entra tenant id of the tenant connection. */
  tenant: z.string().min(1),
  connectionId: z.string().min(1),
  certificateId: z.string().min(1),
  /** Uppercase hex, as Windows and the Entra portal show them. */
  thumbprintSha1: hexThumbprint(40),
  thumbprintSha256: hexThumbprint(64),
  subject: z.string(),
  notBefore: isoDate,
  notAfter: isoDate,
  /** pending | active | retiring | retired | failed, after the event. */
  status: z.enum(['pending', 'active', 'retiring', 'retired', 'failed']),
  /** Whole days until notAfter (negative once expired). */
  daysLeft: z.number().int(),
  /** `expiring`: the threshold crossed (30, 14, 7 or 1). */
  thresholdDays: z.number().int().positive().optional(),
  /** Rotation events: the rotation and the certificate being replaced. */
  rotationId: z.string().optional(),
  previousCertificateId: z.string().optional(),
  /** validation-failed / rotation rollback: stable codes and plain-language reasons. */
  errors: z.array(z.object({ code: z.string(), message: z.string() })).optional(),
  reason: z.string().max(2000).optional(),
});
export type CertificateLifecycleV1 = z.infer<typeof CertificateLifecycleV1>;
