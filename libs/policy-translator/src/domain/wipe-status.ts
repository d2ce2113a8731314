import type { ExchangeActionV1, ExchangeResultV1 } from '@easgate/contracts';
import type { ExchangeView } from './exchange-view';

/** Where a wipe easgate asked for stands. */
export type WipeState = 'requested' | 'sent' | 'acknowledged' | 'failed' | 'cancelled';

/** A command the translator sent, as far as wipes need it (the command log's row). */
export interface SentCommand {
  commandId: string;
  action: ExchangeActionV1;
  createdAt: string;
  outcome?: string;
  completedAt?: string;
  error?: { code: string; message: string; retriable: boolean };
  detail?: string;
  wipe?: ExchangeResultV1['wipe'];
}

export interface DeviceWipeStatus {
  /** The EAS device id the wipe is for. */
  deviceId: string;
  state: WipeState;
  /** What was asked: an account-only wipe, or a full one. */
  requested: 'full' | 'account-only';
  /** What Exchange recorded, once sent: account-only when the client supports no more. */
  sent?: 'full' | 'account-only';
  commandId: string;
  requestedAt: string;
  completedAt?: string;
  acknowledgedAt?: string;
  /** For people: e.g. `account-only wipe: full wipe unsupported for Outlook (REST) clients`. */
  note?: string;
  error?: { code: string; message: string };
}

/**
 * The newest wipe of each EAS id of a device, from the commands sent (newest first or not) and the
 * mailbox's Exchange view: requested (sent to the executor, no result yet), sent (Exchange recorded
 * it), acknowledged (Exchange reports the device's acknowledgement after the wipe was requested),
 * failed, or cancelled (a later cancel-wipe was applied).
 */
export function wipeStatuses(
  commands: readonly SentCommand[],
  view: ExchangeView | undefined,
): DeviceWipeStatus[] {
  const byTime = [...commands].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const latest = new Map<string, SentCommand>();
  const cancelledAfter = new Map<string, string>();
  for (const command of byTime) {
    const action = command.action;
    if (action.kind === 'wipe-device') {
      latest.set(action.deviceId, command);
      cancelledAfter.delete(action.deviceId);
    } else if (action.kind === 'cancel-wipe' && command.outcome === 'applied') {
      cancelledAfter.set(action.deviceId, command.completedAt ?? command.createdAt);
    }
  }
  return [...latest.entries()].map(([deviceId, command]) => {
    const action = command.action as Extract<ExchangeActionV1, { kind: 'wipe-device' }>;
    const acknowledgedAt = view?.devices[deviceId]?.wipeAcknowledgedAt;
    const acknowledged =
      acknowledgedAt !== undefined && Date.parse(acknowledgedAt) >= Date.parse(command.createdAt);
    const state: WipeState = cancelledAfter.has(deviceId)
      ? 'cancelled'
      : command.outcome === undefined
        ? 'requested'
        : command.outcome === 'failed'
          ? 'failed'
          : acknowledged
            ? 'acknowledged'
            : 'sent';
    const sentAccountOnly = command.wipe?.accountOnly ?? action.accountOnly;
    return {
      deviceId,
      state,
      requested: action.accountOnly ? 'account-only' : 'full',
      ...(command.outcome !== undefined &&
        command.outcome !== 'failed' && { sent: sentAccountOnly ? 'account-only' : 'full' }),
      commandId: command.commandId,
      requestedAt: command.createdAt,
      ...(command.completedAt !== undefined && { completedAt: command.completedAt }),
      ...(acknowledged && { acknowledgedAt }),
      ...(command.detail !== undefined && { note: command.detail }),
      ...(command.error && { error: { code: command.error.code, message: command.error.message } }),
    };
  });
}
