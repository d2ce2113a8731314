import { autoRotationDue } from './auto-rotation';

const DAY = 86_400_000;
const now = new Date('2026-11-26T12:00:00Z');
const input = (overrides: Partial<Parameters<typeof autoRotationDue>[0]> = {}) => ({
  notAfter: new Date(now.getTime() + 20 * DAY),
  now,
  rotateBeforeDays: 30,
  retryAfterHours: 24,
  ...overrides,
});

describe('autoRotationDue', () => {
  it('is due once the certificate is within the rotation window', () => {
    expect(autoRotationDue(input())).toBe(true);
  });

  it('is not due before the window, nor when automatic rotation is off', () => {
    expect(autoRotationDue(input({ notAfter: new Date(now.getTime() + 31 * DAY) }))).toBe(false);
    expect(autoRotationDue(input({ rotateBeforeDays: 0 }))).toBe(false);
  });

  it('waits after a recent attempt instead of creating a certificate every scan', () => {
    expect(autoRotationDue(input({ lastRotationStartedAt: new Date(now.getTime() - 2 * 3_600_000) }))).toBe(
      false,
    );
    expect(autoRotationDue(input({ lastRotationStartedAt: new Date(now.getTime() - 25 * 3_600_000) }))).toBe(
      true,
    );
  });
});
