import { consoleStages, runValidation, type ValidationPorts, type VaultValidation } from './validation-steps';

function aVaultValidation(overrides: Partial<VaultValidation> = {}): VaultValidation {
  return {
    valid: true,
    errors: [],
    warnings: [],
    certificate: {
      notAfter: '2027-12-01T00:00:00.000Z',
      keySize: 2048,
      keyAlgorithm: 'rsa',
      signatureAlgorithm: 'sha256WithRSAEncryption',
    },
    live: { ok: true },
    ...overrides,
  };
}

function ports(vault: VaultValidation, testConnection = jest.fn()): ValidationPorts {
  return {
    validateInVault: async () => vault,
    testConnection,
    now: () => new Date('2026-12-01T00:00:00Z'),
  };
}

describe(consoleStages.name, () => {
  it('shows the vault certificate checks with the days left and a passed token request', async () => {
    const sut = await runValidation(
      consoleStages(
        ports(
          aVaultValidation(),
          jest.fn(async () => ({ ok: true, steps: [] })),
        ),
      ),
      () => undefined,
    );
    expect(sut.slice(0, 5).map((s) => s.state)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);
    expect(sut[2].message).toBe('valid until 2027-12-01 (365 days left)');
  });

  it('explains the AADSTS code of a token request the vault saw refused, and never asks Exchange', async () => {
    const testConnection = jest.fn();
    const sut = await runValidation(
      consoleStages(
        ports(
          aVaultValidation({
            valid: false,
            live: { ok: false, error: 'invalid_client', errorCodes: [7000229], message: 'AADSTS7000229: …' },
          }),
          testConnection,
        ),
      ),
      () => undefined,
    );
    expect(sut.find((s) => s.id === 'token')).toMatchObject({
      state: 'failed',
      code: 'AADSTS7000229',
      fix: expect.stringContaining('Grant admin consent'),
    });
    expect(testConnection).not.toHaveBeenCalled();
    expect(sut.find((s) => s.id === 'exchange')?.state).toBe('skipped');
  });

  it("shows the executor's Exchange steps and keeps the vault's token step", async () => {
    const sut = await runValidation(
      consoleStages(
        ports(
          aVaultValidation(),
          jest.fn(async () => ({
            ok: false,
            steps: [
              {
                id: 'token' as const,
                label: 'Token request to Entra ID',
                state: 'passed' as const,
                message: 'x',
              },
              {
                id: 'permission:Set-CASMailbox' as const,
                label: 'Permission to run Set-CASMailbox',
                state: 'failed' as const,
                code: 'EXO_CMDLET_NOT_ALLOWED',
                fix: 'assign the role',
              },
            ],
          })),
        ),
      ),
      () => undefined,
    );
    expect(sut.find((s) => s.id === 'token')?.message).toBe(
      'an app-only token for Exchange Online was issued',
    );
    expect(sut.find((s) => s.id === 'permission:Set-CASMailbox')).toMatchObject({
      state: 'failed',
      fix: 'assign the role',
    });
  });
});
