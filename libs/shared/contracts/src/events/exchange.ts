import { z } from 'zod';

/**
 * The Exchange command contract (translator → executor) and what the executor publishes back.
 * Commands say the state wanted ("ensure allowed"), never a toggle, so they are safe to retry.
 */
export const ExchangeEventTypes = {
  Command: 'io.easgate.exchange.command',
  Result: 'io.easgate.exchange.result',
  Inventory: 'io.easgate.exchange.inventory',
  InventoryProgress: 'io.easgate.exchange.inventory.progress',
  ConfigDrift: 'io.easgate.exchange.config-drift',
} as const;

const deviceId = z.string().min(1).max(64);
const accessLevel = z.enum(['Allow', 'Block', 'Quarantine']);

export const ExchangeActionV1 = z.discriminatedUnion('kind', [
  /** Ensure the device is on the mailbox's personal allow list (and off its block list). */
  z.object({ kind: z.literal('allow-device'), deviceId }),
  /** Ensure the device is on the mailbox's personal block list (and off its allow list). */
  z.object({ kind: z.literal('block-device'), deviceId }),
  /**
   * Ensure the device is on neither personal list, so rules and the organization default decide
   * (Quarantine where the default access level is Quarantine). Exchange has no per-device quarantine.
   */
  z.object({ kind: z.literal('quarantine-device'), deviceId }),
  /** Remove-MobileDevice: delete the partnership. */
  z.object({ kind: z.literal('remove-device'), deviceId }),
  /** Clear-MobileDevice: a full wipe, or an account-only wipe (-AccountOnly). */
  z.object({ kind: z.literal('wipe-device'), deviceId, accountOnly: z.boolean() }),
  /** Clear-MobileDevice -Cancel. */
  z.object({ kind: z.literal('cancel-wipe'), deviceId }),
  /** Set-CASMailbox -ActiveSyncMailboxPolicy (null: back to the default policy). */
  z.object({ kind: z.literal('assign-mailbox-policy'), policy: z.string().min(1).nullable() }),
  /** Set-ActiveSyncOrganizationSettings -DefaultAccessLevel. */
  z.object({ kind: z.literal('set-organization-default'), level: accessLevel }),
  /** New-/Set-ActiveSyncDeviceAccessRule. */
  z.object({
    kind: z.literal('upsert-device-access-rule'),
    characteristic: z.enum(['DeviceType', 'DeviceModel', 'DeviceOS', 'UserAgent', 'XMSWLHeader']),
    queryString: z.string().min(1),
    accessLevel,
  }),
  /** Remove-ActiveSyncDeviceAccessRule. */
  z.object({
    kind: z.literal('remove-device-access-rule'),
    characteristic: z.enum(['DeviceType', 'DeviceModel', 'DeviceOS', 'UserAgent', 'XMSWLHeader']),
    queryString: z.string().min(1),
  }),
  /** New-/Set-MobileDeviceMailboxPolicy with the given settings (PascalCase parameter names). */
  z.object({
    kind: z.literal('upsert-mailbox-policy'),
    name: z.string().min(1),
    settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  }),
]);
export type ExchangeActionV1 = z.infer<typeof ExchangeActionV1>;
export type ExchangeActionKind = ExchangeActionV1['kind'];

/** Data of `easgate.exchange.command.v1`. Kafka key: {@link mailboxKey}. */
export const ExchangeCommandV1 = z.object({
  /** Idempotency key: a command id is applied once. */
  commandId: z.string().uuid(),
  tenant: z.string().min(1),
  /** The mailbox (UPN); absent for tenant-wide actions (organization default, rules, policies). */
  mailbox: z.string().min(3).optional(),
  action: ExchangeActionV1,
  /** Why, for people and the audit: e.g. "MDM reports noncompliant: passcode missing". */
  reason: z.string().min(1).max(2000),
  /** The event that led to the command, if any. */
  cause: z.object({ source: z.string(), id: z.string(), type: z.string() }).optional(),
  requestedBy: z.string().min(1),
  requestedAt: z.iso.datetime({ offset: true }),
});
export type ExchangeCommandV1 = z.infer<typeof ExchangeCommandV1>;

export const DeviceStateV1 = z.object({
  deviceId,
  deviceType: z.string().optional(),
  deviceModel: z.string().optional(),
  deviceOs: z.string().optional(),
  userAgent: z.string().optional(),
  accessState: z.enum(['Allowed', 'Blocked', 'Quarantined', 'DeviceDiscovery']),
  accessStateReason: z.string().optional(),
  wipePending: z.boolean().optional(),
  /** When the device acknowledged a wipe, when Exchange reports it (DeviceWipeAckTime or its account-only twin). */
  wipeAcknowledgedAt: z.string().optional(),
  firstSyncTime: z.string().optional(),
});
export type DeviceStateV1 = z.infer<typeof DeviceStateV1>;

/** Data of `easgate.exchange.result.v1`: one per command. Kafka key: the command's key. */
export const ExchangeResultV1 = z.object({
  commandId: z.string().uuid(),
  tenant: z.string(),
  mailbox: z.string().optional(),
  action: ExchangeActionV1,
  /** applied: Exchange changed; skipped: Exchange was already in the wanted state; failed: see error. */
  outcome: z.enum(['applied', 'skipped', 'failed']),
  /** The device as Exchange reports it after the command, when known. */
  device: DeviceStateV1.optional(),
  error: z.object({ code: z.string(), message: z.string(), retriable: z.boolean() }).optional(),
  /** Why a command was skipped (already so, superseded by a later one), for people. */
  detail: z.string().optional(),
  /**
   * Wipes only: what was recorded in Exchange. `accountOnly` true with `fullWipeUnsupported` when a
   * full wipe was asked for a client that supports only an account-only wipe (Outlook REST clients);
   * `recovered` when, after a crash, the wipe was found already recorded and not sent again.
   */
  wipe: z
    .object({
      accountOnly: z.boolean(),
      fullWipeUnsupported: z.boolean().optional(),
      recovered: z.boolean().optional(),
    })
    .optional(),
  /** The cmdlets run for this command (a coalesced Set-CASMailbox counts once per command). */
  cmdlets: z.array(z.string()),
  attempts: z.number().int().nonnegative(),
  completedAt: z.iso.datetime({ offset: true }),
});
export type ExchangeResultV1 = z.infer<typeof ExchangeResultV1>;

/** Data of `easgate.exchange.inventory.v1`: one mailbox and its devices. Kafka key: mailbox key. */
export const ExchangeInventoryV1 = z.object({
  tenant: z.string(),
  scanId: z.string(),
  mailbox: z.string(),
  activeSyncEnabled: z.boolean(),
  allowedDeviceIds: z.array(z.string()),
  blockedDeviceIds: z.array(z.string()),
  mailboxPolicy: z.string().nullable(),
  devices: z.array(DeviceStateV1),
  observedAt: z.iso.datetime({ offset: true }),
});
export type ExchangeInventoryV1 = z.infer<typeof ExchangeInventoryV1>;

/**
 * Data of `easgate.exchange.config-drift.v1`: one ActiveSync configuration object that changed in
 * Exchange since the last sync (organization settings, a device access rule, a mailbox policy).
 * Kafka key: the tenant.
 */
export const ExchangeConfigDriftV1 = z.object({
  tenant: z.string(),
  syncId: z.string(),
  section: z.enum(['organization-settings', 'device-access-rules', 'mailbox-policies']),
  change: z.enum(['added', 'removed', 'changed']),
  /** The object's Exchange identity (rule or policy name; the settings' identity). */
  identity: z.string(),
  /** Settings that differ (all of them for added/removed): PascalCase names as Exchange gives them. */
  before: z.record(z.string(), z.unknown()).optional(),
  after: z.record(z.string(), z.unknown()).optional(),
  observedAt: z.iso.datetime({ offset: true }),
});
export type ExchangeConfigDriftV1 = z.infer<typeof ExchangeConfigDriftV1>;

/** The Kafka key of everything about one mailbox: one mailbox's commands stay in order. */
export function mailboxKey(tenant: string, mailbox: string | undefined): string {
  return `${tenant.toLowerCase()}/${(mailbox ?? '*').toLowerCase()}`;
}

/**
 * The command kinds a tenant may enable on the executor (EXECUTOR_COMMAND_KINDS,
 * EXECUTOR_TENANT_COMMAND_KINDS); `full-wipe` is a wipe-device that is not account-only. Device access
 * (allow, block, quarantine) is always enabled and so is not listed.
 */
export const ExchangeCommandKinds = [
  'remove-device',
  'wipe-device',
  'full-wipe',
  'cancel-wipe',
  'assign-mailbox-policy',
  'set-organization-default',
  'upsert-device-access-rule',
  'remove-device-access-rule',
  'upsert-mailbox-policy',
] as const;
export type ExchangeCommandKind = (typeof ExchangeCommandKinds)[number];
