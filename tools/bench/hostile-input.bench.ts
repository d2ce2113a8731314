import { MdmComplianceV1 } from '@easgate/contracts';

/**
 * Hostile MDM records: a UPN of 5k/10k/20k characters built to make the former pattern
 * /^[^@\s]+@[^@\s]+\.[^@\s]+$/ backtrack, timed against that pattern and against the schema now
 * (length checked first and aborting, then a linear check). Run with `npm run bench -- hostile-input`.
 */
const formerPattern = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function millis(work: () => unknown): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function runHostileInputBench(): Promise<void> {
  console.log('hostile UPN (a@ + dots + @)   former pattern   schema now');
  for (const length of [5_000, 10_000, 20_000]) {
    const upn = `a@${'.'.repeat(length)}@`;
    const record = {
      tenant: 'contoso.onmicrosoft.com',
      userPrincipalName: upn,
      easDeviceIds: [],
      mdmDeviceId: 'mdm-1',
      platform: 'iOS',
      model: 'iPhone',
      osVersion: '18',
      state: 'compliant',
      reasons: [],
      observedAt: '2026-12-01T00:00:00Z',
    };
    const before = millis(() => formerPattern.test(upn));
    const after = millis(() => MdmComplianceV1.safeParse(record));
    console.log(
      `${String(length).padStart(6)} characters             ${before.toFixed(1).padStart(8)} ms   ${after.toFixed(2).padStart(8)} ms`,
    );
  }
  return Promise.resolve();
}
