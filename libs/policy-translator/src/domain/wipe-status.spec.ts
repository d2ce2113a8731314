import { emptyView, type ExchangeView } from './exchange-view';
import { type SentCommand, wipeStatuses } from './wipe-status';

function aWipe(overrides: Partial<SentCommand> = {}): SentCommand {
  return {
    commandId: 'c-wipe',
    action: { kind: 'wipe-device', deviceId: 'EAS1', accountOnly: false },
    createdAt: '2026-12-01T01:00:00.000Z',
    ...overrides,
  };
}

function aView(devices: ExchangeView['devices'] = {}): ExchangeView {
  return { ...emptyView('contoso.com', 'u@contoso.com'), devices };
}

describe(wipeStatuses.name, () => {
  const sut = wipeStatuses;

  it('says requested while the executor has not answered', () => {
    expect(sut([aWipe()], aView())).toEqual([
      expect.objectContaining({ deviceId: 'EAS1', state: 'requested', requested: 'full' }),
    ]);
  });

  it('says sent, account-only, with the note, when a full wipe was sent as account-only', () => {
    const [status] = sut(
      [
        aWipe({
          outcome: 'applied',
          completedAt: '2026-12-01T01:00:02.000Z',
          detail: 'account-only wipe: full wipe unsupported for Outlook (REST) clients',
          wipe: { accountOnly: true, fullWipeUnsupported: true },
        }),
      ],
      aView(),
    );
    expect(status).toMatchObject({
      state: 'sent',
      requested: 'full',
      sent: 'account-only',
      note: 'account-only wipe: full wipe unsupported for Outlook (REST) clients',
    });
  });

  it('says acknowledged when Exchange reports the acknowledgement after the request', () => {
    const view = aView({
      EAS1: { firstSeenAt: '2026-11-01T00:00:00Z', wipeAcknowledgedAt: '2026-12-01T01:05:00Z' },
    });
    expect(sut([aWipe({ outcome: 'applied' })], view)[0]?.state).toBe('acknowledged');
    const older = aView({
      EAS1: { firstSeenAt: '2026-11-01T00:00:00Z', wipeAcknowledgedAt: '2026-11-20T00:00:00Z' },
    });
    expect(sut([aWipe({ outcome: 'applied' })], older)[0]?.state).toBe('sent');
  });

  it('says failed with the error', () => {
    const [status] = sut(
      [
        aWipe({
          outcome: 'failed',
          error: { code: 'EXO_NOT_FOUND', message: 'no partnership', retriable: false },
        }),
      ],
      aView(),
    );
    expect(status).toMatchObject({ state: 'failed', error: { code: 'EXO_NOT_FOUND' } });
    expect(status).not.toHaveProperty('sent');
  });

  it('reports the newest wipe of each device, and a cancel applied after it', () => {
    const statuses = sut(
      [
        aWipe({ commandId: 'old', outcome: 'failed', createdAt: '2026-12-01T00:00:00Z' }),
        aWipe({ commandId: 'new', outcome: 'applied', createdAt: '2026-12-01T02:00:00Z' }),
        {
          commandId: 'cancel',
          action: { kind: 'cancel-wipe', deviceId: 'EAS1' },
          createdAt: '2026-12-01T03:00:00Z',
          outcome: 'applied',
        },
        {
          commandId: 'block',
          action: { kind: 'block-device', deviceId: 'EAS1' },
          createdAt: '2026-12-01T00:00:00Z',
        },
      ],
      aView(),
    );
    expect(statuses).toEqual([expect.objectContaining({ commandId: 'new', state: 'cancelled' })]);
  });
});
