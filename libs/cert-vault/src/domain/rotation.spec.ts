import {
  type Rotation,
  applyRotationEvent,
  awaitsUploadConfirmation,
  compensationsFor,
  retireAtAfterOverlap,
} from './rotation';
import { VaultErrorCode } from './vault-error';

const aRotation = (overrides: Partial<Rotation> = {}): Rotation => ({
  id: 'rot-1',
  tenantId: 'tenant-1',
  connectionId: 'conn-1',
  fromCertificateId: 'cert-old',
  toCertificateId: 'cert-new',
  state: 'started',
  uploadToEntra: true,
  overlapHours: 24,
  startedAt: '2026-11-26T10:00:00.000Z',
  ...overrides,
});
const at = '2026-11-26T10:05:00.000Z';

describe('applyRotationEvent', () => {
  it('goes started → key-added → completed when Graph adds the key and the new key gets a token', () => {
    const added = applyRotationEvent(aRotation(), { type: 'key-added', graphKeyId: 'k1' }, at);
    const sut = applyRotationEvent(added, { type: 'verified' }, at);

    expect(added).toMatchObject({ state: 'key-added', graphKeyId: 'k1' });
    expect(sut).toMatchObject({ state: 'completed', finishedAt: at });
  });

  it('completes without Graph when the admin uploaded the certificate', () => {
    const sut = applyRotationEvent(aRotation({ uploadToEntra: false }), { type: 'verified' }, at);

    expect(sut.state).toBe('completed');
  });

  it('refuses to verify a Graph rotation whose key was never added', () => {
    expect(() => applyRotationEvent(aRotation(), { type: 'verified' }, at)).toThrow(
      expect.objectContaining({ code: VaultErrorCode.InvalidRotationState }) as Error,
    );
  });

  it('rolls back a failed verification and removes the Graph key it added', () => {
    const added = applyRotationEvent(aRotation(), { type: 'key-added', graphKeyId: 'k1' }, at);
    const sut = applyRotationEvent(added, { type: 'verification-failed', reason: 'AADSTS700027' }, at);

    expect(sut).toMatchObject({ state: 'rolled-back', reason: 'AADSTS700027' });
    expect(compensationsFor(added)).toEqual(['remove-graph-key', 'fail-pending-certificate']);
    expect(compensationsFor(aRotation({ uploadToEntra: false }))).toEqual(['fail-pending-certificate']);
  });

  it('refuses any event once finished', () => {
    const done = applyRotationEvent(aRotation({ uploadToEntra: false }), { type: 'verified' }, at);

    expect(() => applyRotationEvent(done, { type: 'verification-failed', reason: 'x' }, at)).toThrow(
      expect.objectContaining({ code: VaultErrorCode.InvalidRotationState }) as Error,
    );
  });
});

describe('retireAtAfterOverlap', () => {
  it('adds the overlap window to the activation time', () => {
    expect(retireAtAfterOverlap(new Date('2026-11-26T10:00:00Z'), 48).toISOString()).toBe(
      '2026-11-28T10:00:00.000Z',
    );
  });
});

describe('awaitsUploadConfirmation', () => {
  it('holds a started rotation without Graph for the administrator, and nothing else', () => {
    expect(awaitsUploadConfirmation(aRotation({ uploadToEntra: false }))).toBe(true);
    expect(awaitsUploadConfirmation(aRotation())).toBe(false);
    expect(awaitsUploadConfirmation(aRotation({ uploadToEntra: false, state: 'rolled-back' }))).toBe(false);
    expect(awaitsUploadConfirmation(aRotation({ uploadToEntra: false, state: 'completed' }))).toBe(false);
  });
});
