import { type ExchangeActionV1, type ExchangeCommandKind, ExchangeCommandKinds } from '@easgate/contracts';
import { ExecutorError, ExecutorErrorCode } from './executor-error';

/** What a tenant may have the executor do (the list is in the contracts: deployments configure it). */
export const CommandKinds = ExchangeCommandKinds;
export type CommandKind = ExchangeCommandKind;

/** Every kind but the factory reset of a phone: that one a tenant enables explicitly. */
export const DEFAULT_COMMAND_KINDS: readonly CommandKind[] = CommandKinds.filter((k) => k !== 'full-wipe');

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
      throw new ExecutorError(
        ExecutorErrorCode.CommandKindNotEnabled,
        `${commandKindOf(action)} is not enabled for tenant ${tenant} (EXECUTOR_TENANT_COMMAND_KINDS / EXECUTOR_COMMAND_KINDS); nothing was sent to Exchange`,
      );
  }
}
