import { EXPIRED_THRESHOLD, daysLeft, dueExpiryNotice } from './expiry-thresholds';

const DAY = 86_400_000;
const notAfter = new Date('2027-01-31T00:00:00Z');
const daysBefore = (days: number) => new Date(notAfter.getTime() - days * DAY);

describe('dueExpiryNotice', () => {
  it('sends nothing before the 30-day threshold', () => {
    expect(dueExpiryNotice(notAfter, daysBefore(31), new Set())).toEqual({ record: [] });
  });

  it('sends the 30-day notice once the certificate has 30 days left', () => {
    expect(dueExpiryNotice(notAfter, daysBefore(30), new Set())).toEqual({
      notice: { kind: 'expiring', thresholdDays: 30 },
      record: [30],
    });
  });

  it('does not repeat a threshold already sent', () => {
    expect(dueExpiryNotice(notAfter, daysBefore(20), new Set([30]))).toEqual({ record: [] });
  });

  it('sends only the most urgent threshold after a gap, recording the skipped ones', () => {
    expect(dueExpiryNotice(notAfter, daysBefore(6), new Set([30]))).toEqual({
      notice: { kind: 'expiring', thresholdDays: 7 },
      record: [7, 14],
    });
  });

  it('sends expired once after notAfter', () => {
    const emitted = new Set([30, 14, 7, 1]);
    const first = dueExpiryNotice(notAfter, new Date(notAfter.getTime() + 1000), emitted);

    expect(first).toEqual({ notice: { kind: 'expired' }, record: [EXPIRED_THRESHOLD] });
    expect(dueExpiryNotice(notAfter, new Date(notAfter.getTime() + DAY), new Set([...emitted, 0]))).toEqual({
      record: [],
    });
  });
});

describe('daysLeft', () => {
  it('rounds down and goes negative after expiry', () => {
    expect(daysLeft(notAfter, new Date(notAfter.getTime() - 1.5 * DAY))).toBe(1);
    expect(daysLeft(notAfter, new Date(notAfter.getTime() + 0.5 * DAY))).toBe(-1);
  });
});
