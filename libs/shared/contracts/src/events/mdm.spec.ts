import fc from 'fast-check';
import { isUpn, MdmComplianceV1 } from './mdm';

const reference = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

const record = (userPrincipalName: string) => ({
  tenant: 'contoso.onmicrosoft.com',
  userPrincipalName,
  easDeviceIds: [],
  mdmDeviceId: 'mdm-1',
  platform: 'iOS',
  model: 'iPhone',
  osVersion: '18.1',
  state: 'compliant',
  reasons: [],
  observedAt: '2026-12-01T00:00:00Z',
});

describe(isUpn.name, () => {
  it('accepts exactly what the former pattern accepted', () => {
    const upnish = fc.string({ unit: fc.constantFrom('a', 'b', '@', '.', ' ', '\t', 'é'), maxLength: 12 });
    fc.assert(
      fc.property(upnish, (value) => isUpn(value) === reference.test(value)),
      { numRuns: 5000 },
    );
    expect(isUpn('ada@contoso.com')).toBe(true);
    expect(isUpn('ada@contoso.')).toBe(false);
  });
});

describe('MdmComplianceV1', () => {
  it('refuses an over-long UPN on its length alone, without running the pattern', () => {
    const hostile = `a@${'.'.repeat(20_000)}@`;
    const parsed = MdmComplianceV1.safeParse(record(hostile));

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message)).toEqual([
      'userPrincipalName must be at most 320 characters',
    ]);
  });
});
