import { z } from 'zod';

/**
 * The public MDM contract: `easgate.mdm.compliance.v1`. Any MDM publishes one CloudEvent per
 * device verdict (structured or binary mode), Kafka key = the MDM device id, `subject` = the MDM
 * device id. Documented for vendors in docs/asyncapi/mdm-compliance.yaml. Never break it: add
 * optional fields, or publish a `.v2` beside it.
 */
export const MdmEventTypes = {
  DeviceCompliance: 'io.easgate.mdm.device.compliance',
} as const;

export const MdmComplianceStates = [
  'enrolled',
  'compliant',
  'noncompliant',
  'unenrolled',
  'selective-wipe',
  'full-wipe',
  'lost',
] as const;
export const MdmComplianceState = z.enum(MdmComplianceStates, {
  error: `state must be one of ${MdmComplianceStates.join(', ')}`,
});
export type MdmComplianceState = z.infer<typeof MdmComplianceState>;

/**
 * `local@domain.tld` without whitespace, one `@`, and a dot inside the domain: what
 * /^[^@\s]+@[^@\s]+\.[^@\s]+$/ accepts, in one linear pass (that pattern backtracks quadratically:
 * 20,000 characters took half a second).
 */
export function isUpn(value: string): boolean {
  const at = value.indexOf('@');
  if (at <= 0 || at !== value.lastIndexOf('@') || /\s/.test(value)) return false;
  return hasInnerDot(value.slice(at + 1));
}

/** A dot with at least one character on each side. */
function hasInnerDot(domain: string): boolean {
  for (let i = 1; i < domain.length - 1; i++) if (domain[i] === '.') return true;
  return false;
}

const tenantPattern =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9][a-z0-9-]*\.onmicrosoft\.com)$/i;
const rfc3339 = z.iso.datetime({
  offset: true,
  error: (issue) =>
    issue.input === undefined
      ? 'observedAt is required'
      : 'observedAt must be an RFC 3339 date-time with offset, e.g. 2026-11-26T10:00:00Z',
});
/** "is required" when absent, "must be <what>" when present but of the wrong type. */
const expected = (field: string, what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `${field} is required` : `${field} must be ${what}`;
const text = (field: string, max: number) =>
  z
    .string({ error: expected(field, 'a string') })
    .min(1, `${field} must not be empty`)
    .max(max, `${field} must be at most ${max} characters`);

/** Data of `easgate.mdm.compliance.v1`. Unknown fields are rejected so that typos never pass silently. */
export const MdmComplianceV1 = z.strictObject(
  {
    tenant: z
      .string({ error: expected('tenant', 'a string') })
      .regex(tenantPattern, 'tenant must be the Entra tenant id (GUID) or the *.onmicrosoft.com domain'),
    userPrincipalName: z
      .string({ error: expected('userPrincipalName', 'a string') })
      // The length first, and nothing after it when it fails: a hostile record costs nothing more.
      .max(320, { error: 'userPrincipalName must be at most 320 characters', abort: true })
      .refine(isUpn, 'userPrincipalName must be the mailbox UPN, e.g. user@contoso.com'),
    easDeviceIds: z
      .array(
        z
          .string({ error: 'each EAS device id must be a string' })
          .regex(
            /^[A-Za-z0-9]{1,64}$/,
            'each EAS device id must be 1-64 letters or digits (the ActiveSync DeviceId)',
          ),
        { error: expected('easDeviceIds', 'an array (empty before the device first syncs)') },
      )
      .max(20, 'easDeviceIds must hold at most 20 ids'),
    mdmDeviceId: text('mdmDeviceId', 200),
    platform: text('platform', 100),
    model: text('model', 200),
    osVersion: text('osVersion', 100),
    state: MdmComplianceState,
    reasons: z
      .array(text('each reason', 500), { error: 'reasons must be an array of strings (may be empty)' })
      .max(50),
    policyGroup: text('policyGroup', 200).optional(),
    sequence: z
      .number({ error: expected('sequence', 'a number') })
      .int('sequence must be an integer')
      .nonnegative('sequence must not be negative')
      .max(Number.MAX_SAFE_INTEGER, 'sequence must be a safe integer')
      .optional(),
    observedAt: rfc3339,
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : undefined,
  },
);
export type MdmComplianceV1 = z.infer<typeof MdmComplianceV1>;
