import { latestRotation, rotationSteps, type RotationView } from './rotation-steps';

const rotation = (over: Partial<RotationView>): RotationView => ({
  id: 'r1',
  state: 'started',
  uploadToEntra: true,
  overlapHours: 24,
  startedAt: '2026-12-01T00:00:00Z',
  toCertificateId: 'c2',
  certificate: {
    id: 'c2',
    thumbprintSha1: 'AB12',
    notAfter: '2027-12-01T00:00:00Z',
    subject: 'CN=x',
    status: 'pending',
  },
  ...over,
});
const states = (r: RotationView | undefined, inFlight = false) =>
  rotationSteps(r, inFlight).map((s) => `${s.key}:${s.state}`);

describe(rotationSteps.name, () => {
  it('shows the first step running while a rotation is being started', () => {
    expect(states(undefined, true)).toEqual([
      'created:running',
      'entra:waiting',
      'verified:waiting',
      'activated:waiting',
    ]);
  });

  it('marks every step done once a Graph rotation completed', () => {
    expect(states(rotation({ state: 'completed', graphKeyId: 'k1' }))).toEqual([
      'created:done',
      'entra:done',
      'verified:done',
      'activated:done',
    ]);
  });

  it('waits for the administrator to upload the .cer in a manual rotation, then runs the verification', () => {
    const manual = rotation({ uploadToEntra: false });
    expect(states(manual)).toEqual([
      'created:done',
      'entra:waiting',
      'verified:waiting',
      'activated:waiting',
    ]);
    expect(states(manual, true)).toEqual([
      'created:done',
      'entra:waiting',
      'verified:running',
      'activated:waiting',
    ]);
  });

  it('puts the failure on the verification when the token request with the new key failed', () => {
    const steps = rotationSteps(
      rotation({ state: 'rolled-back', graphKeyId: 'k1', reason: 'verification token request failed' }),
      false,
    );
    expect(steps.map((s) => `${s.key}:${s.state}`)).toEqual([
      'created:done',
      'entra:done',
      'verified:failed',
      'activated:skipped',
    ]);
    expect(steps[2].detail).toBe('verification token request failed');
  });

  it('puts the failure on Entra when Graph addKey failed', () => {
    expect(states(rotation({ state: 'rolled-back', reason: 'Graph addKey failed' }))).toEqual([
      'created:done',
      'entra:failed',
      'verified:skipped',
      'activated:skipped',
    ]);
  });
});

describe(latestRotation.name, () => {
  it('picks the newest rotation by start time', () => {
    expect(
      latestRotation([
        rotation({ id: 'old', startedAt: '2026-01-01T00:00:00Z' }),
        rotation({ id: 'new', startedAt: '2026-06-01T00:00:00Z' }),
      ])?.id,
    ).toBe('new');
    expect(latestRotation([])).toBeUndefined();
  });
});
