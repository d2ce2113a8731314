import {
  allPassed,
  type CertificateCheck,
  certificateSteps,
  failedStep,
  passedStep,
  runValidation,
  tokenStep,
} from './pipeline';
import { plannedSteps, REQUIRED_CMDLETS, type ValidationStep } from './steps';

function aCertificateCheck(overrides: Partial<CertificateCheck> = {}): CertificateCheck {
  return {
    errors: [],
    warnings: [],
    certificate: {
      notAfter: '2027-12-01T00:00:00.000Z',
      keySize: 2048,
      keyAlgorithm: 'rsa',
      signatureAlgorithm: 'sha256WithRSAEncryption',
    },
    ...overrides,
  };
}

const now = new Date('2026-12-01T00:00:00Z');
const states = (steps: readonly ValidationStep[]) => steps.map((s) => `${s.id}=${s.state}`);

describe(plannedSteps.name, () => {
  it('lists the certificate, the token, Checking Exchange, a probe per required cmdlet and the mailbox scope, in order', () => {
    const sut = plannedSteps();
    expect(sut.map((s) => s.id)).toEqual([
      'file',
      'key-match',
      'validity',
      'key-size',
      'token',
      'exchange',
      ...REQUIRED_CMDLETS.map((c) => `permission:${c}`),
      'mailbox-scope',
    ]);
    expect(sut.every((s) => s.state === 'pending')).toBe(true);
  });
});

describe(certificateSteps.name, () => {
  it('passes every certificate step of a good certificate, with the days left', () => {
    const sut = certificateSteps(aCertificateCheck(), now);
    expect(sut.map((s) => s.state)).toEqual(['passed', 'passed', 'passed', 'passed']);
    expect(sut[2].message).toBe('valid until 2027-12-01 (365 days left)');
    expect(sut[3].message).toBe('RSA 2048 bits, sha256WithRSAEncryption');
  });

  it('fails the step an error belongs to, with its code and fix', () => {
    const sut = certificateSteps(
      aCertificateCheck({ errors: [{ code: 'RSA_TOO_SMALL', message: 'The RSA key has 1024 bits' }] }),
      now,
    );
    expect(sut.find((s) => s.id === 'key-size')).toMatchObject({
      state: 'failed',
      code: 'RSA_TOO_SMALL',
      fix: expect.stringContaining('2048'),
    });
  });

  it('skips the later certificate steps when the file cannot be opened', () => {
    const sut = certificateSteps(
      { errors: [{ code: 'WRONG_PASSWORD', message: 'wrong password' }], warnings: [] },
      now,
    );
    expect(states(sut)).toEqual(['file=failed', 'key-match=skipped', 'validity=skipped', 'key-size=skipped']);
    expect(sut[0].fix).toMatch(/password/);
  });

  it('passes the validity of a certificate that expires soon, with the warning', () => {
    const sut = certificateSteps(
      aCertificateCheck({ warnings: [{ code: 'EXPIRES_SOON', message: 'expires in 9 days' }] }),
      now,
    );
    expect(sut[2]).toMatchObject({ state: 'passed', warning: 'expires in 9 days' });
  });
});

describe(tokenStep.name, () => {
  it('explains the AADSTS code of a refused token request and says how to fix it', () => {
    const sut = tokenStep(
      {
        ok: false,
        code: 'invalid_client',
        aadsts: [7000229],
        message: 'AADSTS7000229: missing service principal',
      },
      12,
    );
    expect(sut).toMatchObject({
      id: 'token',
      state: 'failed',
      code: 'AADSTS7000229',
      message: expect.stringContaining('admin consent was never granted here, or it was revoked'),
      detail: 'AADSTS7000229: missing service principal',
      fix: expect.stringContaining('Grant admin consent'),
    });
  });

  it('finds the AADSTS code in the message when only the text carries it', () => {
    const sut = tokenStep({ ok: false, code: 'EXO_TOKEN_REQUEST_FAILED', message: 'AADSTS700016: app?' }, 1);
    expect(sut.code).toBe('AADSTS700016');
  });

  it('keeps an unknown failure in its own words, with the general fix', () => {
    const sut = tokenStep({ ok: false, code: 'EXO_NETWORK_SOMETHING', message: 'socket hang up' }, 1);
    expect(sut).toMatchObject({ message: 'EXO_NETWORK_SOMETHING: socket hang up', fix: expect.any(String) });
  });
});

describe(runValidation.name, () => {
  it('runs the stages in order, reporting each change, and is all green when every step passes', async () => {
    const seen: string[][] = [];
    const sut = await runValidation(
      [
        { stage: 'certificate', run: async () => certificateSteps(aCertificateCheck(), now) },
        { stage: 'token', run: async () => [tokenStep({ ok: true }, 3)] },
        {
          stage: 'exchange',
          run: async () =>
            plannedSteps()
              .filter(
                (s) => s.id === 'exchange' || s.id.startsWith('permission:') || s.id === 'mailbox-scope',
              )
              .map((s) => passedStep(s.id, 'ok', 1)),
        },
      ],
      (steps) => seen.push(states(steps)),
    );
    expect(allPassed(sut)).toBe(true);
    expect(seen[1].slice(0, 5)).toEqual([
      'file=running',
      'key-match=running',
      'validity=running',
      'key-size=running',
      'token=pending',
    ]);
  });

  it('skips the stages after a red step', async () => {
    const exchange = jest.fn(async () => [] as ValidationStep[]);
    const sut = await runValidation(
      [
        { stage: 'certificate', run: async () => certificateSteps(aCertificateCheck(), now) },
        { stage: 'token', run: async () => [failedStep('token', { aadsts: 700027 }, 3)] },
        { stage: 'exchange', run: exchange },
      ],
      () => undefined,
    );
    expect(exchange).not.toHaveBeenCalled();
    expect(sut.find((s) => s.id === 'token')?.fix).toMatch(/Upload the \.cer/);
    expect(sut.filter((s) => s.state === 'skipped').map((s) => s.id)).toContain('mailbox-scope');
    expect(allPassed(sut)).toBe(false);
  });

  it('turns a stage that throws into its first step red, with the error', async () => {
    const sut = await runValidation(
      [
        {
          stage: 'certificate',
          run: async () => {
            throw new Error('vault unreachable');
          },
        },
      ],
      () => undefined,
    );
    expect(sut[0]).toMatchObject({ id: 'file', state: 'failed', message: 'FAILED: vault unreachable' });
    expect(sut.slice(1).every((s) => s.state === 'skipped')).toBe(true);
  });
});
