import { randomUUID } from 'node:crypto';
import type { ExchangeActionV1, ExchangeCommandV1 } from '@easgate/contracts';
import { applyUpdate, casMailboxParameters, planMailbox } from './mailbox-plan';

function command(action: ExchangeActionV1): ExchangeCommandV1 {
  return {
    commandId: randomUUID(),
    tenant: 'contoso.onmicrosoft.com',
    mailbox: 'ana@contoso.com',
    action,
    reason: 'test',
    requestedBy: 'test',
    requestedAt: new Date().toISOString(),
  };
}
const allow = (deviceId: string) => command({ kind: 'allow-device', deviceId });
const block = (deviceId: string) => command({ kind: 'block-device', deviceId });
const quarantine = (deviceId: string) => command({ kind: 'quarantine-device', deviceId });

describe(planMailbox.name, () => {
  it('coalesces changes of several devices into one Set-CASMailbox', () => {
    const sut = planMailbox([allow('A'), block('B'), quarantine('C')], undefined);
    expect(sut).toHaveLength(1);
    const [segment] = sut;
    expect(segment.kind === 'cas' && segment.update).toEqual({
      allowed: { add: ['A'], remove: ['B', 'C'] },
      blocked: { add: ['B'], remove: ['A', 'C'] },
    });
  });

  it('lets the last command for a device win and marks earlier ones superseded', () => {
    const first = allow('A');
    const last = block('a');
    const [segment] = planMailbox([first, last], { allowed: [], blocked: [] });
    if (segment?.kind !== 'cas') throw new Error('expected a cas segment');
    expect(segment.dispositions.get(first.commandId)).toEqual({ kind: 'superseded', by: last.commandId });
    expect(segment.update).toEqual({ allowed: { add: [], remove: [] }, blocked: { add: ['a'], remove: [] } });
  });

  it('skips what the inventory says is already so, sending nothing when all are', () => {
    const cmd = allow('A');
    const [segment] = planMailbox([cmd], { allowed: ['a'], blocked: [] });
    if (segment?.kind !== 'cas') throw new Error('expected a cas segment');
    expect(segment.update).toBeUndefined();
    expect(segment.dispositions.get(cmd.commandId)).toMatchObject({ kind: 'skipped' });
  });

  it('keeps device operations in order between coalesced runs', () => {
    const sut = planMailbox(
      [allow('A'), command({ kind: 'remove-device', deviceId: 'B' }), block('A')],
      undefined,
    );
    expect(sut.map((s) => s.kind)).toEqual(['cas', 'single', 'cas']);
  });

  it('folds a policy change into the same call and skips an unchanged policy', () => {
    const policy = command({ kind: 'assign-mailbox-policy', policy: 'Strict' });
    const [segment] = planMailbox([allow('A'), policy], { allowed: [], blocked: [], policy: 'Default' });
    if (segment?.kind !== 'cas') throw new Error('expected a cas segment');
    expect(casMailboxParameters('ana@contoso.com', segment.update!)).toEqual({
      Identity: 'ana@contoso.com',
      ActiveSyncAllowedDeviceIDs: { add: ['A'] },
      ActiveSyncMailboxPolicy: 'Strict',
    });
    const [same] = planMailbox([policy], { allowed: [], blocked: [], policy: 'strict' });
    expect(same?.kind === 'cas' && same.update).toBeUndefined();
  });
});

describe(applyUpdate.name, () => {
  it('applies removes then adds, case-insensitively', () => {
    const sut = applyUpdate(
      { allowed: ['A', 'B'], blocked: ['C'] },
      { allowed: { add: ['c'], remove: ['b'] }, blocked: { add: [], remove: ['c'] } },
    );
    expect(sut).toEqual({ allowed: ['A', 'c'], blocked: [], policy: undefined });
  });
});
