import type { CertificateLifecycleV1 } from '@easgate/contracts';
import { certificateStepOf, validationReasons } from './certificate-signal';

function anEvent(overrides: Partial<CertificateLifecycleV1> = {}): CertificateLifecycleV1 {
  return {
    kind: 'activated',
    tenant: 't',
    connectionId: 'c',
    certificateId: 'cert',
    thumbprintSha1: 'A'.repeat(40),
    thumbprintSha256: 'B'.repeat(64),
    subject: 'CN=x',
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
    status: 'active',
    daysLeft: 300,
    ...overrides,
  };
}

describe(certificateStepOf.name, () => {
  const sut = certificateStepOf;

  it('tracks the expiry of active and retiring certificates only', () => {
    expect(sut(anEvent({ kind: 'expiring' }))).toBe('track');
    expect(sut(anEvent({ kind: 'rotation-started', status: 'retiring' }))).toBe('track');
    expect(sut(anEvent({ kind: 'created', status: 'pending' }))).toBe('ignore');
  });

  it('forgets retired certificates and maps validation outcomes', () => {
    expect(sut(anEvent({ kind: 'retired', status: 'retired' }))).toBe('gone');
    expect(sut(anEvent({ kind: 'validation-failed', status: 'failed' }))).toBe('validation-failed');
    expect(sut(anEvent({ kind: 'validated' }))).toBe('validated');
  });
});

describe(validationReasons.name, () => {
  it('uses the error codes, or the reason when there are none', () => {
    expect(
      validationReasons(anEvent({ errors: [{ code: 'KEY_MISMATCH', message: 'key does not match' }] })),
    ).toEqual(['KEY_MISMATCH: key does not match']);
    expect(validationReasons(anEvent({ reason: 'AADSTS700027' }))).toEqual(['AADSTS700027']);
  });
});
