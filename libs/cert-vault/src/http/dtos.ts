import { z } from 'zod';

const guid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID');
const httpsUrl = z.url({ protocol: /^https$/ });

export const TenantConnectionBody = z.strictObject({
  tenantId: guid,
  appId: guid,
  organization: z
    .string()
    .regex(
      /^[a-z0-9-]+\.onmicrosoft\.(com|us|de)$|^[a-z0-9-]+\.partner\.onmschina\.cn$/i,
      'must be the *.onmicrosoft.com domain',
    ),
  cloud: z.string().min(1).optional(),
  authorityHost: httpsUrl.optional(),
  exchangeEndpoint: httpsUrl.optional(),
  /** Microsoft Graph base URL override (a sandbox playing Graph); else VAULT_GRAPH_URL, else the cloud's. */
  graphUrl: httpsUrl.optional(),
  applicationObjectId: guid.optional(),
  signingAlgorithm: z.enum(['RS256', 'PS256']).optional(),
});
export type TenantConnectionBody = z.infer<typeof TenantConnectionBody>;

export const TenantConnectionPatch = TenantConnectionBody.omit({ tenantId: true }).partial();
export type TenantConnectionPatch = z.infer<typeof TenantConnectionPatch>;

export const CreateCertificateBody = z.strictObject({
  subject: z.string().min(3).max(500),
  days: z.number().int().min(1).max(3650).optional(),
  keySize: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]).optional(),
  activate: z.boolean().optional(),
});

export const CertificateFileBody = z.union([
  z.strictObject({ pfxBase64: z.string().min(1).max(200_000), password: z.string().max(1000) }),
  z.strictObject({ pem: z.string().min(1).max(200_000), password: z.string().max(1000).optional() }),
]);

export const ImportCertificateBody = z.union([
  z.strictObject({
    pfxBase64: z.string().min(1).max(200_000),
    password: z.string().max(1000),
    activate: z.boolean().optional(),
  }),
  z.strictObject({
    pem: z.string().min(1).max(200_000),
    password: z.string().max(1000).optional(),
    activate: z.boolean().optional(),
  }),
]);
export type ImportCertificateBody = z.infer<typeof ImportCertificateBody>;

export const ValidateStoredBody = z.strictObject({ live: z.boolean().optional() });
export const ActivateBody = z.strictObject({
  overlapHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 90)
    .optional(),
  reason: z.string().max(2000).optional(),
});
export const RetireBody = z.strictObject({ reason: z.string().max(2000).optional() });

export const StartRotationBody = z.strictObject({
  certificateId: z.string().uuid().optional(),
  create: z
    .strictObject({
      subject: z.string().min(3).max(500).optional(),
      days: z.number().int().min(1).max(3650).optional(),
      keySize: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]).optional(),
    })
    .optional(),
  uploadToEntra: z.boolean().optional(),
  overlapHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 90)
    .optional(),
  complete: z.boolean().optional(),
  uploadConfirmed: z.boolean().optional(),
  reason: z.string().max(2000).optional(),
});

/** Completing a rotation without Graph: the administrator's word that the new .cer is in Entra. */
export const CompleteRotationBody = z.strictObject({ uploadConfirmed: z.boolean().optional() });

/** The signing contract: exactly `{ audience }`. */
export const ClientAssertionBody = z.strictObject({ audience: httpsUrl });
export const ClientAssertionResponse = z.object({
  assertion: z.string(),
  thumbprintSha1: z.string(),
  expiresAt: z.string(),
});

const isoInstant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

export const AuditQueryParams = z.object({
  tenantId: z.string().optional(),
  connectionId: z.string().optional(),
  certificateId: z.string().optional(),
  action: z.string().optional(),
  /** Who: `user:alice`, `service:exchange-executor`, `cert-vault`. */
  actor: z.string().min(1).max(200).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  /** Time range (ISO 8601), `from` inclusive, `to` exclusive. */
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  /** `asc` (default): oldest first, page with afterSeq; `desc`: newest first, page with beforeSeq. */
  order: z.enum(['asc', 'desc']).default('asc'),
  afterSeq: z.coerce.number().int().min(0).optional(),
  beforeSeq: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
