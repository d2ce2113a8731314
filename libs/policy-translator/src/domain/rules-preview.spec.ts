import { previewRules } from './rules-preview';
import { applyCompliance, type DeviceDesiredState } from './device-state';
import { defaultRules } from './rules';
import type { MdmComplianceState } from '@easgate/contracts';

function aDevice(id: string, state: MdmComplianceState): DeviceDesiredState {
  const result = applyCompliance(
    undefined,
    {
      source: 's',
      id,
      data: {
        tenant: 't.onmicrosoft.com',
        userPrincipalName: `${id}@contoso.com`,
        easDeviceIds: [`E${id}`],
        mdmDeviceId: id,
        platform: 'iOS',
        model: 'm',
        osVersion: '1',
        state,
        reasons: [],
        observedAt: '2026-11-26T10:00:00Z',
      },
    },
    defaultRules(),
    0,
  );
  if (result.outcome !== 'applied') throw new Error('unreachable');
  return result.next;
}

describe(previewRules.name, () => {
  it('lists the devices a rule change would move, and how', () => {
    const rules = defaultRules();
    rules.states.lost = { access: 'block', action: 'full-wipe' };
    rules.allowFullWipe = true;
    const sut = previewRules(
      [aDevice('a', 'lost'), aDevice('b', 'compliant'), aDevice('c', 'lost')],
      rules,
      1,
    );
    expect(sut).toMatchObject({ devicesEvaluated: 3, devicesChanging: 2 });
    expect(sut.changes[0]).toMatchObject({
      mdmDeviceId: 'a',
      from: { action: 'none' },
      to: { action: 'full-wipe' },
    });
  });
});
