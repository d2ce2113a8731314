import { daysLeft, daysLeftText, expiryLevel } from './expiry';

describe(expiryLevel.name, () => {
  it('colours a certificate by the days it has left: ok, warning from 30, critical from 7, then expired', () => {
    expect([90, 31, 30, 8, 7, 0, -1].map(expiryLevel)).toEqual([
      'ok',
      'ok',
      'warning',
      'warning',
      'critical',
      'critical',
      'expired',
    ]);
  });
});

describe(daysLeft.name, () => {
  it('counts whole days to the expiry, negative once expired', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    expect(daysLeft('2026-12-11T12:00:00Z', now)).toBe(10);
    expect(daysLeft('2026-11-30T00:00:00Z', now)).toBe(-1);
    expect(daysLeftText(1)).toBe('1 day left');
    expect(daysLeftText(-3)).toBe('expired 3 days ago');
  });
});
