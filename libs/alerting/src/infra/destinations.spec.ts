import type { OpsAlertV1 } from '@easgate/contracts';
import { toAlertmanagerAlert } from './destinations';

function anAlert(overrides: Partial<OpsAlertV1> = {}): OpsAlertV1 {
  return {
    fingerprint: '0123456789abcdef0123456789abcdef',
    status: 'firing',
    kind: 'certificate-expiring',
    severity: 'warning',
    tenant: 'contoso',
    labels: { certificateId: 'c1', 'odd-name': 'v' },
    summary: 's',
    description: 'd',
    runbook: 'r',
    startsAt: '2026-01-01T00:00:00.000Z',
    occurrences: 1,
    revision: 1,
    ...overrides,
  };
}

describe(toAlertmanagerAlert.name, () => {
  const sut = toAlertmanagerAlert;
  const now = new Date('2026-01-01T00:10:00.000Z');

  it('keeps a firing alert active for the given time, with Alertmanager-safe label names', () => {
    const result = sut(anAlert(), now, 240_000);
    expect(result.endsAt).toBe('2026-01-01T00:14:00.000Z');
    expect(result.labels).toMatchObject({
      alertname: 'certificate-expiring',
      severity: 'warning',
      tenant: 'contoso',
      odd_name: 'v',
    });
    expect(result.annotations.runbook).toBe('r');
  });

  it('sends the resolve time of a resolved alert', () => {
    expect(
      sut(anAlert({ status: 'resolved', endsAt: '2026-01-01T00:05:00.000Z' }), now, 240_000).endsAt,
    ).toBe('2026-01-01T00:05:00.000Z');
  });
});
