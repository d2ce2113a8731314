import { describeIssues, MdmComplianceV1 } from '@easgate/contracts';

function aPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenant: '2b4c1f7e-8a7d-4c1e-9f3a-6a1b2c3d4e5f',
    userPrincipalName: 'ada@contoso.com',
    easDeviceIds: [],
    mdmDeviceId: 'mdm-1',
    platform: 'Android',
    model: 'Pixel 9',
    osVersion: '15',
    state: 'enrolled',
    reasons: [],
    observedAt: '2026-11-26T10:00:00+01:00',
    ...overrides,
  };
}

function reasonFor(payload: unknown): string {
  const result = MdmComplianceV1.safeParse(payload);
  return result.success ? 'valid' : describeIssues(result.error, 'data', 'data.');
}

describe('MdmComplianceV1', () => {
  it('accepts a verdict with a tenant GUID, no EAS ids yet and no sequence', () => {
    expect(reasonFor(aPayload())).toBe('valid');
  });

  it('accepts an onmicrosoft.com tenant, a policy group and a sequence', () => {
    expect(
      reasonFor(aPayload({ tenant: 'Contoso.onmicrosoft.com', policyGroup: 'execs', sequence: 7 })),
    ).toBe('valid');
  });

  it('names an unknown state and lists the accepted ones', () => {
    expect(reasonFor(aPayload({ state: 'ok' }))).toBe(
      'data.state: state must be one of enrolled, compliant, noncompliant, unenrolled, selective-wipe, full-wipe, lost',
    );
  });

  it('rejects unknown fields so that a typo never passes silently', () => {
    expect(reasonFor(aPayload({ sequnce: 3 }))).toBe('data: unknown field(s): sequnce');
  });

  it('explains what a tenant, an EAS id and observedAt must look like', () => {
    const reason = reasonFor(
      aPayload({ tenant: 'contoso.com', easDeviceIds: ['bad id!'], observedAt: '26/11/2026' }),
    );
    expect(reason).toContain(
      'data.tenant: tenant must be the Entra tenant id (GUID) or the *.onmicrosoft.com domain',
    );
    expect(reason).toContain('data.easDeviceIds.0: each EAS device id must be 1-64 letters or digits');
    expect(reason).toContain('data.observedAt: observedAt must be an RFC 3339 date-time with offset');
  });

  it('says which required fields are missing', () => {
    const { userPrincipalName: _u, observedAt: _o, ...rest } = aPayload();
    expect(reasonFor(rest)).toBe(
      'data.userPrincipalName: userPrincipalName is required; data.observedAt: observedAt is required',
    );
  });

  it('rejects a negative or fractional sequence', () => {
    expect(reasonFor(aPayload({ sequence: -1 }))).toContain('data.sequence: sequence must not be negative');
    expect(reasonFor(aPayload({ sequence: 1.5 }))).toContain('data.sequence: sequence must be an integer');
  });
});
