import type { ExchangeCommandV1 } from '@easgate/contracts';
import { ExecutorErrorCode } from '../domain/executor-error';
import { type ExchangeClient, ExchangeError, ExchangeErrorCode } from '../infra/exchange-client';
import { runSingleCommand, type WipeGuard } from './single-commands';
import { CommandKindPolicy, CommandKinds } from '../domain/command-kinds';

/** These tests are about sending full wipes: the tenant has enabled them. */
const fullWipesEnabled = new CommandKindPolicy(CommandKinds);

const IDENTITY = 'u@contoso.com\\ExchangeActiveSyncDevices\\REST§Outlook§5eec4e94';

function aWipe(accountOnly = false): ExchangeCommandV1 {
  return {
    commandId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    tenant: 'contoso.onmicrosoft.com',
    mailbox: 'u@contoso.com',
    action: { kind: 'wipe-device', deviceId: '5eec4e94', accountOnly },
    reason: 'lost',
    requestedBy: 'test',
    requestedAt: '2026-12-01T01:00:00.000Z',
  };
}

/** A fake Exchange: answers per cmdlet, and records every call (and when the intent was recorded). */
function aClient(answers: Record<string, (parameters: Record<string, unknown>) => unknown[]>) {
  const log: string[] = [];
  const client = {
    invoke(cmdlet: string, parameters: Record<string, unknown>) {
      log.push(`${cmdlet}${parameters['AccountOnly'] ? ' -AccountOnly' : ''}`);
      const answer = answers[cmdlet];
      if (!answer) return Promise.reject(new Error(`unexpected ${cmdlet}`));
      try {
        return Promise.resolve({ values: answer(parameters), warnings: [], attempts: 1 });
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
  } as unknown as ExchangeClient;
  const guard = (overrides: Partial<WipeGuard> = {}): WipeGuard => ({
    intentAt: undefined,
    recovery: 'check',
    recordIntent: () => {
      log.push('intent recorded');
      return Promise.resolve();
    },
    ...overrides,
  });
  return { client, log, guard };
}

const aDevice = () => [{ Identity: IDENTITY, DeviceId: '5eec4e94' }];
const outlookRefusesFullWipe = (p: Record<string, unknown>) => {
  if (p['AccountOnly'] !== true)
    throw new ExchangeError(
      ExchangeErrorCode.AccountOnlyWipeRequired,
      `The device '${IDENTITY}' supports only an account-only wipe. Use the AccountOnly parameter.`,
      { status: 400 },
    );
  return [];
};

describe(runSingleCommand.name, () => {
  it('records the intent before the wipe is sent', async () => {
    const { client, log, guard } = aClient({ 'Get-MobileDevice': aDevice, 'Clear-MobileDevice': () => [] });
    const sut = await runSingleCommand(client, aWipe(), guard(), fullWipesEnabled);
    expect(log).toEqual(['Get-MobileDevice', 'intent recorded', 'Clear-MobileDevice']);
    expect(sut).toMatchObject({ outcome: 'applied', wipe: { accountOnly: false } });
  });

  it('sends an account-only wipe when Exchange refuses the full wipe for the client, and says so', async () => {
    const { client, log, guard } = aClient({
      'Get-MobileDevice': aDevice,
      'Clear-MobileDevice': outlookRefusesFullWipe,
    });
    const sut = await runSingleCommand(client, aWipe(), guard(), fullWipesEnabled);
    expect(log).toEqual([
      'Get-MobileDevice',
      'intent recorded',
      'Clear-MobileDevice',
      'Clear-MobileDevice -AccountOnly',
    ]);
    expect(sut).toMatchObject({
      outcome: 'applied',
      detail: 'account-only wipe: full wipe unsupported for Outlook (REST) clients',
      wipe: { accountOnly: true, fullWipeUnsupported: true },
    });
  });

  it('does not fall back on any other refusal', async () => {
    const { client, guard } = aClient({
      'Get-MobileDevice': aDevice,
      'Clear-MobileDevice': () => {
        throw new ExchangeError(ExchangeErrorCode.BadRequest, 'Cannot bind parameter', { status: 400 });
      },
    });
    await expect(runSingleCommand(client, aWipe(), guard(), fullWipesEnabled)).rejects.toMatchObject({
      code: ExchangeErrorCode.BadRequest,
    });
  });

  it('after a crash, does not send a wipe Exchange already records', async () => {
    const { client, log, guard } = aClient({
      'Get-MobileDevice': aDevice,
      'Get-MobileDeviceStatistics': () => [
        { Status: 'DeviceWipePending', DeviceWipeRequestTime: '2026-12-01T01:00:01.000Z' },
      ],
    });
    const sut = await runSingleCommand(
      client,
      aWipe(),
      guard({ intentAt: '2026-12-01T01:00:00.500Z' }),
      fullWipesEnabled,
    );
    expect(log).toEqual(['Get-MobileDevice', 'Get-MobileDeviceStatistics']);
    expect(sut).toMatchObject({ outcome: 'applied', wipe: { accountOnly: false, recovered: true } });
  });

  it('after a crash, sends the wipe when Exchange records none', async () => {
    const { client, log, guard } = aClient({
      'Get-MobileDevice': aDevice,
      'Get-MobileDeviceStatistics': () => [{ Status: 'DeviceOk', DeviceWipeStatus: null }],
      'Clear-MobileDevice': () => [],
    });
    await runSingleCommand(
      client,
      aWipe(),
      guard({ intentAt: '2026-12-01T01:00:00.500Z' }),
      fullWipesEnabled,
    );
    expect(log).toEqual(['Get-MobileDevice', 'Get-MobileDeviceStatistics', 'Clear-MobileDevice']);
  });

  it('after a crash, with recovery "fail", never re-sends and says the outcome is unknown', async () => {
    const { client, log, guard } = aClient({ 'Get-MobileDevice': aDevice });
    await expect(
      runSingleCommand(
        client,
        aWipe(),
        guard({ intentAt: '2026-12-01T01:00:00.500Z', recovery: 'fail' }),
        fullWipesEnabled,
      ),
    ).rejects.toMatchObject({ code: ExecutorErrorCode.WipeOutcomeUnknown, retriable: false });
    expect(log).toEqual(['Get-MobileDevice']);
  });
});
