import { randomUUID } from 'node:crypto';
import { ExecutorErrorCode } from '../../domain/executor-error';
import type { ExchangeClient } from './exchange-client';
import { ExchangeError, ExchangeErrorCode } from './exchange-error';

export type ConnectionTestOutcome = 'passed' | 'failed' | 'skipped';

export interface ConnectionTestStep {
  readonly step: string;
  readonly cmdlet?: string;
  readonly outcome: ConnectionTestOutcome;
  readonly durationMs: number;
  readonly code?: string;
  /** Microsoft's text, or what was checked. */
  readonly message?: string;
  /** What the admin must change, for failures they can fix. */
  readonly fix?: string;
}

export interface ConnectionTestReport {
  readonly ok: boolean;
  readonly steps: ConnectionTestStep[];
}

interface Probe {
  readonly cmdlet: string;
  readonly parameters: () => Record<string, unknown>;
  /** Probes aimed at an object that does not exist: NotFound (or a binding refusal) proves permission. */
  readonly missingObjectProves?: boolean;
}

const probeName = () => `easgate-probe-${randomUUID()}`;

/**
 * The cmdlets easgate runs, probed without changing anything: reads ask for one object, writes aim
 * at an object that does not exist, so RBAC answers (401 "not allowed") before anything is touched.
 */
export const REQUIRED_CMDLET_PROBES: readonly Probe[] = [
  { cmdlet: 'Get-CASMailbox', parameters: () => ({ ResultSize: 1 }) },
  { cmdlet: 'Get-MobileDevice', parameters: () => ({ ResultSize: 1 }) },
  { cmdlet: 'Get-ActiveSyncOrganizationSettings', parameters: () => ({}) },
  { cmdlet: 'Get-ActiveSyncDeviceAccessRule', parameters: () => ({}) },
  { cmdlet: 'Get-MobileDeviceMailboxPolicy', parameters: () => ({}) },
  { cmdlet: 'Set-CASMailbox', parameters: () => ({ Identity: probeName() }), missingObjectProves: true },
  {
    cmdlet: 'Clear-MobileDevice',
    parameters: () => ({ Identity: randomUUID(), Cancel: true }),
    missingObjectProves: true,
  },
  {
    cmdlet: 'Remove-MobileDevice',
    parameters: () => ({ Identity: randomUUID(), Confirm: false }),
    missingObjectProves: true,
  },
  {
    cmdlet: 'Set-ActiveSyncDeviceAccessRule',
    parameters: () => ({ Identity: `${probeName()} (DeviceModel)`, AccessLevel: 'Allow' }),
    missingObjectProves: true,
  },
  {
    cmdlet: 'Set-MobileDeviceMailboxPolicy',
    parameters: () => ({ Identity: probeName() }),
    missingObjectProves: true,
  },
];

/**
 * The connection test behind `easgate exchange test` and the console's "Validate Certificate":
 * a token, a read-only cmdlet (Get-OrganizationConfig), then a probe of each cmdlet easgate needs.
 */
export async function runConnectionTest(
  client: ExchangeClient,
  probes: readonly Probe[] = REQUIRED_CMDLET_PROBES,
  now: () => number = Date.now,
): Promise<ConnectionTestReport> {
  const steps: ConnectionTestStep[] = [];
  const timed = async (
    step: string,
    cmdlet: string | undefined,
    work: () => Promise<string>,
    missingObjectProves = false,
  ) => {
    const started = now();
    try {
      const message = await work();
      steps.push({
        step,
        ...(cmdlet && { cmdlet }),
        outcome: 'passed',
        durationMs: now() - started,
        message,
      });
    } catch (err) {
      const durationMs = now() - started;
      if (
        missingObjectProves &&
        err instanceof ExchangeError &&
        (err.code === ExchangeErrorCode.NotFound || err.code === ExchangeErrorCode.BadRequest)
      ) {
        steps.push({
          step,
          ...(cmdlet && { cmdlet }),
          outcome: 'passed',
          durationMs,
          message: 'allowed (probed on an object that does not exist)',
        });
        return;
      }
      const typed = err instanceof ExchangeError ? err : undefined;
      steps.push({
        step,
        ...(cmdlet && { cmdlet }),
        outcome: 'failed',
        durationMs,
        code: typed?.code ?? ExecutorErrorCode.Unexpected,
        message: err instanceof Error ? err.message : String(err),
        ...(typed?.fix !== undefined && { fix: typed.fix }),
      });
    }
  };

  await timed('token', undefined, async () => {
    await client.acquireToken();
    return `token issued by ${client.endpoints.cloud.authorityHost} for ${client.endpoints.tokenScope}`;
  });
  const tokenOk = steps[0]?.outcome === 'passed';
  const skip = (step: string, cmdlet?: string) =>
    steps.push({
      step,
      ...(cmdlet && { cmdlet }),
      outcome: 'skipped',
      durationMs: 0,
      message: 'not run: an earlier step failed',
    });

  if (!tokenOk) skip('read-only cmdlet', 'Get-OrganizationConfig');
  else
    await timed('read-only cmdlet', 'Get-OrganizationConfig', async () => {
      const result = await client.invoke('Get-OrganizationConfig');
      const name = result.values[0]?.['Name'];
      return `connected to organization ${typeof name === 'string' ? name : '(unnamed)'}`;
    });
  const connected = steps[1]?.outcome === 'passed';
  for (const probe of probes) {
    if (!connected) {
      skip('cmdlet permission', probe.cmdlet);
      continue;
    }
    await timed(
      'cmdlet permission',
      probe.cmdlet,
      async () => {
        await client.invoke(probe.cmdlet, probe.parameters(), { pageSize: 1 });
        return 'allowed';
      },
      probe.missingObjectProves,
    );
  }
  return { ok: steps.every((s) => s.outcome === 'passed'), steps };
}
