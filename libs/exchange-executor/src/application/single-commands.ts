import type { ExchangeCommandV1, ExchangeResultV1 } from '@easgate/contracts';
import { formatDeviceAccessRuleName, formatOpathFilter, opath } from '@easgate/cmdlet-schemas';
import { ExecutorError, ExecutorErrorCode } from '../domain/executor-error';
import { ACCOUNT_ONLY_FALLBACK_DETAIL, isWipeOfIntent, wipeOnRecord } from '../domain/wipe-status';
import { type ExchangeClient, ExchangeError, ExchangeErrorCode } from '../infra/exchange-client';
import { CommandKindPolicy } from '../domain/command-kinds';

export interface SingleOutcome {
  outcome: ExchangeResultV1['outcome'];
  cmdlets: string[];
  attempts: number;
  detail?: string;
  wipe?: ExchangeResultV1['wipe'];
}

/**
 * A wipe found `sending` after a crash (the call may have reached Exchange before the process died):
 * `check` reads Get-MobileDeviceStatistics and sends only when Exchange records no wipe of it (the
 * wipe field names are UNCONFIRMED, see domain/wipe-status); `fail` never re-sends and fails the
 * command with WIPE_OUTCOME_UNKNOWN (an alert asks a person to look in Exchange).
 */
export type WipeRecovery = 'check' | 'fail';

export interface WipeGuard {
  /** When a previous pass recorded the intent to send this wipe; undefined when none did. */
  intentAt: string | undefined;
  recovery: WipeRecovery;
  /** Commits the intent (status `sending`) before Clear-MobileDevice is called. */
  recordIntent(): Promise<void>;
}

const NO_GUARD: WipeGuard = { intentAt: undefined, recovery: 'check', recordIntent: () => Promise.resolve() };

/**
 * Commands that are not a mailbox list change: each runs alone, reading first where that lets a
 * no-op be skipped. Throws ExchangeError (the caller decides retry or failure).
 */
export async function runSingleCommand(
  client: ExchangeClient,
  command: ExchangeCommandV1,
  guard: WipeGuard = NO_GUARD,
  kinds: CommandKindPolicy = new CommandKindPolicy(),
): Promise<SingleOutcome> {
  const action = command.action;
  // Before any cmdlet: a kind the tenant has not enabled (a full wipe, by default) is refused.
  kinds.ensureEnabled(command.tenant, action);
  const cmdlets: string[] = [];
  let attempts = 0;
  const run = async (cmdlet: string, parameters: Record<string, unknown>) => {
    cmdlets.push(cmdlet);
    const result = await client.invoke(cmdlet, parameters);
    attempts += result.attempts;
    return result.values;
  };
  const done = (
    outcome: SingleOutcome['outcome'],
    detail?: string,
    wipe?: SingleOutcome['wipe'],
  ): SingleOutcome => ({
    outcome,
    cmdlets,
    attempts,
    ...(detail !== undefined && { detail }),
    ...(wipe && { wipe }),
  });
  const needMailbox = (): string => {
    if (!command.mailbox)
      throw new ExchangeError(ExchangeErrorCode.InvalidInput, `${action.kind} needs a mailbox`, {});
    return command.mailbox;
  };
  /** The device's Exchange identity (a mailbox has one partnership per DeviceId and client). */
  const findDevice = async (deviceId: string): Promise<string | undefined> => {
    const values = await run('Get-MobileDevice', {
      Mailbox: needMailbox(),
      Filter: formatOpathFilter(opath.eq('DeviceId', deviceId)),
    });
    const found = values[0];
    const identity = found?.['Identity'] ?? found?.['Guid'];
    return typeof identity === 'string' ? identity : undefined;
  };

  switch (action.kind) {
    case 'allow-device':
    case 'block-device':
    case 'quarantine-device':
    case 'assign-mailbox-policy':
      // Only reached without a mailbox: the planner coalesces these per mailbox.
      needMailbox();
      throw new ExchangeError(ExchangeErrorCode.InvalidInput, `${action.kind} is a mailbox list change`);
    case 'remove-device': {
      const identity = await findDevice(action.deviceId);
      if (!identity) return done('skipped', `no partnership for device ${action.deviceId}`);
      await run('Remove-MobileDevice', { Identity: identity, Confirm: false });
      return done('applied');
    }
    case 'wipe-device': {
      const identity = await findDevice(action.deviceId);
      if (!identity)
        throw new ExchangeError(
          ExchangeErrorCode.NotFound,
          `no partnership for device ${action.deviceId} to wipe`,
        );
      if (guard.intentAt !== undefined) {
        if (guard.recovery === 'fail')
          throw new ExecutorError(
            ExecutorErrorCode.WipeOutcomeUnknown,
            `a wipe of device ${action.deviceId} was being sent when the executor stopped; EXECUTOR_WIPE_RECOVERY=fail: check Exchange and send it again if it is not there`,
          );
        const [stats] = await run('Get-MobileDeviceStatistics', { Identity: identity });
        const record = wipeOnRecord(stats);
        if (record && isWipeOfIntent(record, guard.intentAt))
          return done(
            'applied',
            `wipe already ${record.state === 'acknowledged' ? 'acknowledged by the device' : 'pending'} in Exchange (${record.accountOnly ? 'account-only' : 'full'}): not sent again after a restart`,
            { accountOnly: record.accountOnly, recovered: true },
          );
      } else await guard.recordIntent();
      if (action.accountOnly) {
        await run('Clear-MobileDevice', { Identity: identity, AccountOnly: true, Confirm: false });
        return done('applied', undefined, { accountOnly: true });
      }
      try {
        await run('Clear-MobileDevice', { Identity: identity, Confirm: false });
        return done('applied', undefined, { accountOnly: false });
      } catch (err) {
        if (!(err instanceof ExchangeError && err.code === ExchangeErrorCode.AccountOnlyWipeRequired))
          throw err;
      }
      // Exchange refused the full wipe for this client (Outlook REST): the account-only wipe is all it takes.
      await run('Clear-MobileDevice', { Identity: identity, AccountOnly: true, Confirm: false });
      return done('applied', ACCOUNT_ONLY_FALLBACK_DETAIL, { accountOnly: true, fullWipeUnsupported: true });
    }
    case 'cancel-wipe': {
      const identity = await findDevice(action.deviceId);
      if (!identity) return done('skipped', `no partnership for device ${action.deviceId}`);
      await run('Clear-MobileDevice', { Identity: identity, Cancel: true, Confirm: false });
      return done('applied');
    }
    case 'set-organization-default': {
      const [settings] = await run('Get-ActiveSyncOrganizationSettings', {});
      const current = settings?.['DefaultAccessLevel'];
      if (typeof current === 'string' && current.toLowerCase() === action.level.toLowerCase())
        return done('skipped', `the organization default is already ${action.level}`);
      await run('Set-ActiveSyncOrganizationSettings', { DefaultAccessLevel: action.level });
      return done('applied');
    }
    case 'upsert-device-access-rule': {
      const name = formatDeviceAccessRuleName(action.queryString, action.characteristic);
      const existing = await optional(() => run('Get-ActiveSyncDeviceAccessRule', { Identity: name }));
      const rule = existing?.[0];
      if (rule) {
        const level = rule['AccessLevel'];
        if (typeof level === 'string' && level.toLowerCase() === action.accessLevel.toLowerCase())
          return done('skipped', `rule ${name} already has access level ${action.accessLevel}`);
        await run('Set-ActiveSyncDeviceAccessRule', { Identity: name, AccessLevel: action.accessLevel });
      } else {
        await run('New-ActiveSyncDeviceAccessRule', {
          QueryString: action.queryString,
          Characteristic: action.characteristic,
          AccessLevel: action.accessLevel,
        });
      }
      return done('applied');
    }
    case 'remove-device-access-rule': {
      const name = formatDeviceAccessRuleName(action.queryString, action.characteristic);
      const removed = await optional(() =>
        run('Remove-ActiveSyncDeviceAccessRule', { Identity: name, Confirm: false }),
      );
      return removed ? done('applied') : done('skipped', `rule ${name} does not exist`);
    }
    case 'upsert-mailbox-policy': {
      const existing = await optional(() => run('Get-MobileDeviceMailboxPolicy', { Identity: action.name }));
      const policy = existing?.[0];
      if (policy) {
        const same = Object.entries(action.settings).every(
          ([k, v]) => JSON.stringify(policy[k] ?? null) === JSON.stringify(v),
        );
        if (same) return done('skipped', `mailbox policy ${action.name} already has these settings`);
        await run('Set-MobileDeviceMailboxPolicy', { Identity: action.name, ...action.settings });
      } else {
        await run('New-MobileDeviceMailboxPolicy', { Name: action.name, ...action.settings });
      }
      return done('applied');
    }
  }
}

/** The call's values, or undefined when Exchange says the object does not exist. */
async function optional<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ExchangeError && err.code === ExchangeErrorCode.NotFound) return undefined;
    throw err;
  }
}
