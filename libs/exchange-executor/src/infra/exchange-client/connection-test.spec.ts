import type { ExchangeClient } from './exchange-client';
import { runConnectionTest } from './connection-test';
import { ExchangeError, ExchangeErrorCode } from './exchange-error';

type Invoke = (
  cmdlet: string,
  parameters?: Record<string, unknown>,
) => Promise<{ values: Record<string, unknown>[] }>;

/** A client whose token and cmdlets answer as the test says (everything allowed by default). */
function aClient(overrides: { acquireToken?: () => Promise<void>; invoke?: Invoke } = {}): ExchangeClient {
  return {
    endpoints: {
      cloud: { authorityHost: 'https://login.microsoftonline.com' },
      tokenScope: 'https://outlook.office365.com/.default',
    },
    acquireToken: overrides.acquireToken ?? (async () => undefined),
    invoke: overrides.invoke ?? (async () => ({ values: [{ Name: 'contoso' }] })),
  } as unknown as ExchangeClient;
}

describe(runConnectionTest.name, () => {
  it('passes the token, Checking Exchange, every probe and an unscoped mailbox scope', async () => {
    const sut = await runConnectionTest(aClient(), { cmdlets: ['Get-CASMailbox', 'Set-CASMailbox'] });
    expect(sut.steps.map((s) => `${s.id}=${s.state}`)).toEqual([
      'token=passed',
      'exchange=passed',
      'permission:Get-CASMailbox=passed',
      'permission:Set-CASMailbox=passed',
      'mailbox-scope=passed',
    ]);
    expect(sut.ok).toBe(true);
  });

  it('explains a refused token by its AADSTS code and skips every Exchange step', async () => {
    const sut = await runConnectionTest(
      aClient({
        acquireToken: async () => {
          throw new ExchangeError(ExchangeErrorCode.CertificateNotRegistered, 'AADSTS700027: key not found', {
            aadsts: 700027,
            stage: 'token',
          });
        },
      }),
      { cmdlets: ['Get-CASMailbox'] },
    );
    expect(sut.steps[0]).toMatchObject({ id: 'token', state: 'failed', code: 'AADSTS700027' });
    expect(sut.steps.slice(1).every((s) => s.state === 'skipped')).toBe(true);
  });

  it('counts a write probe answered "not found" as allowed, and an RBAC refusal as red with its fix', async () => {
    const sut = await runConnectionTest(
      aClient({
        invoke: async (cmdlet) => {
          if (cmdlet === 'Set-CASMailbox') throw new ExchangeError(ExchangeErrorCode.NotFound, 'not found');
          if (cmdlet === 'Remove-MobileDevice')
            throw new ExchangeError(
              ExchangeErrorCode.CmdletNotAllowed,
              'User is not allowed to call Remove-MobileDevice',
            );
          return { values: [] };
        },
      }),
      { cmdlets: ['Set-CASMailbox', 'Remove-MobileDevice'] },
    );
    expect(sut.steps.find((s) => s.id === 'permission:Set-CASMailbox')?.state).toBe('passed');
    expect(sut.steps.find((s) => s.id === 'permission:Remove-MobileDevice')).toMatchObject({
      state: 'failed',
      code: 'EXO_CMDLET_NOT_ALLOWED',
      detail: 'User is not allowed to call Remove-MobileDevice',
      fix: expect.stringContaining('role'),
    });
    expect(sut.ok).toBe(false);
  });

  it("asks Exchange for the scope's mailboxes and fails a scope that matches none", async () => {
    const asked: unknown[] = [];
    const sut = await runConnectionTest(
      aClient({
        invoke: async (cmdlet, parameters) => {
          if (cmdlet === 'Get-Mailbox') {
            asked.push(parameters?.['Filter']);
            return { values: [] };
          }
          return { values: [{ Name: 'contoso' }] };
        },
      }),
      { cmdlets: [], scope: { recipientRestrictionFilter: "Department -eq 'Nobody'" } },
    );
    expect(asked).toEqual(["(Department -eq 'Nobody')"]);
    expect(sut.steps.find((s) => s.id === 'mailbox-scope')).toMatchObject({
      state: 'failed',
      code: 'SCOPE_EMPTY',
      fix: expect.stringContaining('EXECUTOR_SCOPES'),
    });
  });
});
