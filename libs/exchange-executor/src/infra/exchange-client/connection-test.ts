import { randomUUID } from 'node:crypto';
import {
  failedStep,
  passedStep,
  permissionStepId,
  READ_ONLY_CMDLET,
  REQUIRED_CMDLETS,
  type RequiredCmdlet,
  SCOPE_CMDLET,
  skippedStep,
  type StepId,
  type ValidationStep,
} from '@easgate/validation-pipeline';
import { ExecutorErrorCode } from '../../domain/executor-error';
import { type MailboxScope, scopeFilter } from '../../domain/mailbox-scope';
import type { ExchangeClient } from './exchange-client';
import { ExchangeError, ExchangeErrorCode } from './exchange-error';

/** The Exchange half of "Validate Certificate", in the steps of @easgate/validation-pipeline. */
export interface ConnectionTestReport {
  readonly ok: boolean;
  readonly steps: ValidationStep[];
}

export interface ConnectionTestOptions {
  /** The tenant's mailbox scope (EXECUTOR_SCOPES); none: easgate may act on every mailbox. */
  readonly scope?: MailboxScope;
  readonly cmdlets?: readonly RequiredCmdlet[];
  readonly now?: () => number;
}

interface Probe {
  readonly parameters: () => Record<string, unknown>;
  /** Probes aimed at an object that does not exist: NotFound (or a binding refusal) proves permission. */
  readonly missingObjectProves?: boolean;
}

const probeName = () => `easgate-probe-${randomUUID()}`;

/**
 * How each cmdlet easgate runs is probed without changing anything: reads ask for one object, writes
 * aim at an object that does not exist, so RBAC answers (401 "not allowed") before anything is touched.
 */
export const CMDLET_PROBES: Readonly<Record<RequiredCmdlet, Probe>> = {
  'Get-CASMailbox': { parameters: () => ({ ResultSize: 1 }) },
  'Get-MobileDevice': { parameters: () => ({ ResultSize: 1 }) },
  'Get-ActiveSyncOrganizationSettings': { parameters: () => ({}) },
  'Get-ActiveSyncDeviceAccessRule': { parameters: () => ({}) },
  'Get-MobileDeviceMailboxPolicy': { parameters: () => ({}) },
  'Set-CASMailbox': { parameters: () => ({ Identity: probeName() }), missingObjectProves: true },
  'Clear-MobileDevice': {
    parameters: () => ({ Identity: randomUUID(), Cancel: true }),
    missingObjectProves: true,
  },
  'Remove-MobileDevice': {
    parameters: () => ({ Identity: randomUUID(), Confirm: false }),
    missingObjectProves: true,
  },
  'Set-ActiveSyncDeviceAccessRule': {
    parameters: () => ({ Identity: `${probeName()} (DeviceModel)`, AccessLevel: 'Allow' }),
    missingObjectProves: true,
  },
  'Set-MobileDeviceMailboxPolicy': {
    parameters: () => ({ Identity: probeName() }),
    missingObjectProves: true,
  },
};

class ScopeFailure extends Error {
  constructor(
    readonly code: 'SCOPE_EMPTY' | 'SCOPE_INVALID',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The connection test behind "Validate Certificate" (console and `easgate cert validate --live`) and
 * `easgate exchange test`: a token, a read-only cmdlet (Get-OrganizationConfig), a probe of each cmdlet
 * easgate needs, then the mailbox scope.
 */
export async function runConnectionTest(
  client: ExchangeClient,
  options: ConnectionTestOptions = {},
): Promise<ConnectionTestReport> {
  const now = options.now ?? Date.now;
  const cmdlets = options.cmdlets ?? REQUIRED_CMDLETS;
  const steps: ValidationStep[] = [];
  const timed = async (id: StepId, work: () => Promise<string>, missingObjectProves = false) => {
    const started = now();
    try {
      steps.push(passedStep(id, await work(), now() - started));
    } catch (err) {
      const durationMs = now() - started;
      if (
        missingObjectProves &&
        err instanceof ExchangeError &&
        (err.code === ExchangeErrorCode.NotFound || err.code === ExchangeErrorCode.BadRequest)
      ) {
        steps.push(passedStep(id, 'allowed (probed on an object that does not exist)', durationMs));
        return;
      }
      steps.push(failedStep(id, failureOf(err), durationMs));
    }
  };
  const last = () => steps[steps.length - 1];

  await timed('token', async () => {
    await client.acquireToken();
    return `token issued by ${client.endpoints.cloud.authorityHost} for ${client.endpoints.tokenScope}`;
  });
  const tokenOk = last()?.state === 'passed';
  if (!tokenOk) steps.push(skippedStep('exchange'));
  else
    await timed('exchange', async () => {
      const result = await client.invoke(READ_ONLY_CMDLET);
      const name = result.values[0]?.['Name'];
      return `connected to organization ${typeof name === 'string' ? name : '(unnamed)'}`;
    });
  const connected = last()?.state === 'passed';
  for (const cmdlet of cmdlets) {
    const id = permissionStepId(cmdlet);
    if (!connected) {
      steps.push(skippedStep(id));
      continue;
    }
    const probe = CMDLET_PROBES[cmdlet];
    await timed(
      id,
      async () => {
        await client.invoke(cmdlet, probe.parameters(), { pageSize: 1 });
        return 'allowed';
      },
      probe.missingObjectProves,
    );
  }
  if (!connected) steps.push(skippedStep('mailbox-scope'));
  else await timed('mailbox-scope', () => checkScope(client, options.scope));
  return { ok: steps.every((s) => s.state === 'passed'), steps };
}

/** Exchange evaluates the scope: a filter it refuses, or one no mailbox matches, would silently refuse every command. */
async function checkScope(client: ExchangeClient, scope: MailboxScope | undefined): Promise<string> {
  const filter = scope ? scopeFilter(scope) : undefined;
  // Without a scope easgate never runs Get-Mailbox: nothing to ask Exchange, and no permission to demand.
  if (!filter)
    return scope
      ? 'the scope names no filter and no group: every mailbox its Exchange role allows'
      : 'no scope configured: easgate may act on every mailbox its Exchange role allows';
  let found;
  try {
    found = await client.invoke(SCOPE_CMDLET, { Filter: filter, ResultSize: 1 }, { pageSize: 1 });
  } catch (err) {
    if (err instanceof ExchangeError && err.code === ExchangeErrorCode.BadRequest)
      throw new ScopeFailure('SCOPE_INVALID', `${filter}: ${err.message}`);
    throw err;
  }
  if (found.values.length === 0)
    throw new ScopeFailure('SCOPE_EMPTY', `no mailbox matches the scope ${filter}`);
  return `scoped to the mailboxes matching ${filter}${scope?.allowTenantWide ? '; tenant-wide actions allowed' : ''}`;
}

function failureOf(err: unknown): { code: string; message: string; aadsts?: number } {
  if (err instanceof ScopeFailure) return { code: err.code, message: err.message };
  if (err instanceof ExchangeError)
    return {
      code: err.code,
      message: err.message,
      ...(err.details.aadsts !== undefined && { aadsts: err.details.aadsts }),
    };
  return { code: ExecutorErrorCode.Unexpected, message: err instanceof Error ? err.message : String(err) };
}
