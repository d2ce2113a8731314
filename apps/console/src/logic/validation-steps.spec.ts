import { allPassed, exchangeSteps, vaultSteps, type VaultValidation } from './validation-steps';

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

const now = new Date('2026-12-01T00:00:00Z');

describe(vaultSteps.name, () => {
  it('passes every certificate step and the token request of a good certificate, with the days left', () => {
    const sut = vaultSteps(aVaultValidation(), 12, now);
    expect(sut.map((s) => s.state)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);
    expect(sut[2].message).toBe('valid until 2027-12-01 (365 days left)');
    expect(allPassed(sut)).toBe(true);
  });

  it('fails the step an error belongs to, with its fix, and skips the token request', () => {
    const sut = vaultSteps(
      aVaultValidation({
        valid: false,
        errors: [{ code: 'RSA_TOO_SMALL', message: 'RSA 1024 bits' }],
        live: undefined,
      }),
      5,
      now,
    );
    expect(sut.find((s) => s.id === 'key-size')).toMatchObject({
      state: 'failed',
      fix: expect.stringContaining('2048'),
    });
    expect(sut.find((s) => s.id === 'token')!.state).toBe('skipped');
    expect(allPassed(sut)).toBe(false);
  });

  it('explains an AADSTS code of a refused token request and says how to fix it', () => {
    const sut = vaultSteps(
      aVaultValidation({ valid: false, live: { ok: false, error: 'invalid_grant', errorCodes: [65001] } }),
      5,
      now,
    );
    expect(sut.find((s) => s.id === 'token')).toMatchObject({
      state: 'failed',
      message: 'AADSTS65001: admin consent has not been granted',
      fix: expect.stringContaining('Grant admin consent'),
    });
  });
});

describe(exchangeSteps.name, () => {
  it("names the executor's steps as the admin knows them, cmdlet included", () => {
    const sut = exchangeSteps([
      { step: 'read-only cmdlet', cmdlet: 'Get-OrganizationConfig', outcome: 'passed', durationMs: 40 },
      {
        step: 'cmdlet permission',
        cmdlet: 'Set-CASMailbox',
        outcome: 'failed',
        durationMs: 30,
        code: 'EXO_FORBIDDEN',
        message: 'not allowed',
        fix: 'assign the role',
      },
    ]);
    expect(sut.map((s) => s.label)).toEqual([
      'Checking Exchange (a read-only cmdlet): Get-OrganizationConfig',
      'Permission probe: Set-CASMailbox',
    ]);
    expect(sut[1]).toMatchObject({
      state: 'failed',
      message: 'EXO_FORBIDDEN: not allowed',
      fix: 'assign the role',
    });
  });
});
