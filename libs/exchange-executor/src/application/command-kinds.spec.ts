import type { ExchangeCommandV1 } from '@easgate/contracts';
import { runSingleCommand } from './single-commands';
import type { ExchangeClient } from '../infra/exchange-client';
import { CommandKindPolicy } from '../domain/command-kinds';
import { ExecutorErrorCode } from '../domain/executor-error';

const command = (tenant: string, action: ExchangeCommandV1['action']): ExchangeCommandV1 => ({
  commandId: '00000000-0000-4000-8000-000000000001',
  tenant,
  mailbox: 'ada@contoso.com',
  action,
  reason: 'test',
  requestedBy: 'test',
  requestedAt: '2026-12-01T00:00:00Z',
});

describe(CommandKindPolicy.name, () => {
  const fullWipe = { kind: 'wipe-device', deviceId: 'EAS1', accountOnly: false } as const;

  it('refuses a full wipe by default, before any cmdlet reaches Exchange', async () => {
    const calls: string[] = [];
    const client = {
      invoke: (cmdlet: string) => {
        calls.push(cmdlet);
        return Promise.resolve({ values: [], warnings: [], attempts: 1 });
      },
    } as unknown as ExchangeClient;

    await expect(
      runSingleCommand(client, command('contoso.onmicrosoft.com', fullWipe)),
    ).rejects.toMatchObject({
      code: ExecutorErrorCode.CommandKindNotEnabled,
      retriable: false,
    });
    expect(calls).toEqual([]);
  });

  it('admits what a tenant enabled, and only for that tenant', () => {
    const sut = new CommandKindPolicy(undefined, new Map([['contoso.onmicrosoft.com', ['full-wipe']]]));

    expect(sut.enabled('Contoso.onmicrosoft.com', fullWipe)).toBe(true);
    expect(sut.enabled('contoso.onmicrosoft.com', { kind: 'remove-device', deviceId: 'EAS1' })).toBe(false);
    expect(sut.enabled('fabrikam.onmicrosoft.com', fullWipe)).toBe(false);
    expect(sut.enabled('fabrikam.onmicrosoft.com', { kind: 'block-device', deviceId: 'EAS1' })).toBe(true);
  });
});
