import { EasgateError, type ExchangeActionV1 } from '@easgate/contracts';

/** What a tenant may have the executor do; `full-wipe` is a wipe-device that is not account-only. */
export const CommandKinds = [
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
export type CommandKind = (typeof CommandKinds)[number];

/** Every kind but the factory reset of a phone: that one a tenant enables explicitly. */
export const DEFAULT_COMMAND_KINDS: readonly CommandKind[] = CommandKinds.filter((k) => k !== 'full-wipe');

export const COMMAND_KIND_NOT_ENABLED = 'COMMAND_KIND_NOT_ENABLED';

export function commandKindOf(action: ExchangeActionV1): string {
  return action.kind === 'wipe-device' && !action.accountOnly ? 'full-wipe' : action.kind;
}

/**
 * The command kinds each tenant has enabled (EXECUTOR_COMMAND_KINDS for every tenant,
 * EXECUTOR_TENANT_COMMAND_KINDS per tenant). Device access (allow, block, quarantine) is always enabled:
 * it is what the executor is for. A forged or mistaken command of another kind is refused, never sent.
 */
export class CommandKindPolicy {
  constructor(
    private readonly defaults: readonly string[] = DEFAULT_COMMAND_KINDS,
    private readonly byTenant: ReadonlyMap<string, readonly string[]> = new Map(),
  ) {}

  enabled(tenant: string, action: ExchangeActionV1): boolean {
    const kind = commandKindOf(action);
    if (!(CommandKinds as readonly string[]).includes(kind)) return true;
    return (this.byTenant.get(tenant.toLowerCase()) ?? this.defaults).includes(kind);
  }

  /** Throws COMMAND_KIND_NOT_ENABLED (not retriable) for a kind the tenant has not enabled. */
  ensureEnabled(tenant: string, action: ExchangeActionV1): void {
    if (!this.enabled(tenant, action))
      throw new EasgateError(
        COMMAND_KIND_NOT_ENABLED,
        `${commandKindOf(action)} is not enabled for tenant ${tenant} (EXECUTOR_TENANT_COMMAND_KINDS / EXECUTOR_COMMAND_KINDS); nothing was sent to Exchange`,
      );
  }
}
