import type { ExchangeActionV1, ExchangeInventoryV1 } from '@easgate/contracts';

export interface ViewDevice {
  accessState?: string;
  wipePending?: boolean;
  /** When the device acknowledged a wipe, when the inventory says (Exchange's ack time). */
  wipeAcknowledgedAt?: string;
  /** When easgate first saw the device in Exchange (the auto-quarantine grace period starts here). */
  firstSeenAt: string;
  autoQuarantinedAt?: string;
}

/**
 * What easgate believes one mailbox looks like in Exchange: the last inventory, plus the effect of
 * every command sent since (so the same verdict twice sends nothing), minus what failed.
 */
export interface ExchangeView {
  tenant: string;
  mailbox: string;
  inventoryAt?: string;
  allowedDeviceIds: string[];
  blockedDeviceIds: string[];
  /** undefined: not known (no inventory yet, or a policy command failed). */
  mailboxPolicy?: string | null;
  devices: Record<string, ViewDevice>;
  /** Device ids whose list membership is unknown after a failed command: the next plan re-sends. */
  uncertainDeviceIds: string[];
}

export function emptyView(tenant: string, mailbox: string): ExchangeView {
  return { tenant, mailbox, allowedDeviceIds: [], blockedDeviceIds: [], devices: {}, uncertainDeviceIds: [] };
}

const without = (list: string[], id: string) => list.filter((x) => x !== id);
const withId = (list: string[], id: string) => (list.includes(id) ? list : [...list, id]);

/** An inventory is authoritative for what it lists; an older one than we have is ignored. */
export function applyInventory(view: ExchangeView, inventory: ExchangeInventoryV1): ExchangeView {
  if (view.inventoryAt !== undefined && Date.parse(inventory.observedAt) < Date.parse(view.inventoryAt))
    return view;
  const devices: Record<string, ViewDevice> = {};
  for (const device of inventory.devices) {
    const known = view.devices[device.deviceId];
    devices[device.deviceId] = {
      firstSeenAt: known?.firstSeenAt ?? inventory.observedAt,
      accessState: device.accessState,
      ...(device.wipePending !== undefined && { wipePending: device.wipePending }),
      ...(device.wipeAcknowledgedAt !== undefined && { wipeAcknowledgedAt: device.wipeAcknowledgedAt }),
      ...(known?.autoQuarantinedAt !== undefined && { autoQuarantinedAt: known.autoQuarantinedAt }),
    };
  }
  return {
    ...view,
    inventoryAt: inventory.observedAt,
    allowedDeviceIds: [...inventory.allowedDeviceIds],
    blockedDeviceIds: [...inventory.blockedDeviceIds],
    mailboxPolicy: inventory.mailboxPolicy,
    devices,
    uncertainDeviceIds: [],
  };
}

/** The effect a command has once Exchange applied it (applied, skipped, or just sent). */
export function applyAction(view: ExchangeView, action: ExchangeActionV1): ExchangeView {
  switch (action.kind) {
    case 'allow-device':
      return {
        ...view,
        allowedDeviceIds: withId(view.allowedDeviceIds, action.deviceId),
        blockedDeviceIds: without(view.blockedDeviceIds, action.deviceId),
        uncertainDeviceIds: without(view.uncertainDeviceIds, action.deviceId),
      };
    case 'block-device':
      return {
        ...view,
        allowedDeviceIds: without(view.allowedDeviceIds, action.deviceId),
        blockedDeviceIds: withId(view.blockedDeviceIds, action.deviceId),
        uncertainDeviceIds: without(view.uncertainDeviceIds, action.deviceId),
      };
    case 'quarantine-device':
      return {
        ...view,
        allowedDeviceIds: without(view.allowedDeviceIds, action.deviceId),
        blockedDeviceIds: without(view.blockedDeviceIds, action.deviceId),
        uncertainDeviceIds: without(view.uncertainDeviceIds, action.deviceId),
      };
    case 'remove-device': {
      const { [action.deviceId]: _removed, ...devices } = view.devices;
      return { ...view, devices };
    }
    case 'wipe-device': {
      const device = view.devices[action.deviceId];
      if (!device) return view;
      return { ...view, devices: { ...view.devices, [action.deviceId]: { ...device, wipePending: true } } };
    }
    case 'assign-mailbox-policy':
      return { ...view, mailboxPolicy: action.policy };
    case 'cancel-wipe': {
      const device = view.devices[action.deviceId];
      if (!device) return view;
      return { ...view, devices: { ...view.devices, [action.deviceId]: { ...device, wipePending: false } } };
    }
    case 'set-organization-default':
    case 'upsert-device-access-rule':
    case 'remove-device-access-rule':
    case 'upsert-mailbox-policy':
      return view;
  }
}

/** A failed command leaves Exchange's state unknown: forget what we assumed so the next plan re-sends. */
export function forgetAction(view: ExchangeView, action: ExchangeActionV1): ExchangeView {
  switch (action.kind) {
    case 'allow-device':
    case 'block-device':
    case 'quarantine-device':
      return { ...view, uncertainDeviceIds: withId(view.uncertainDeviceIds, action.deviceId) };
    case 'assign-mailbox-policy': {
      const { mailboxPolicy: _unknown, ...rest } = view;
      return rest;
    }
    case 'remove-device':
    case 'wipe-device':
    case 'cancel-wipe':
    case 'set-organization-default':
    case 'upsert-device-access-rule':
    case 'remove-device-access-rule':
    case 'upsert-mailbox-policy':
      return view;
  }
}

/**
 * What an action changes in the view: commands on the same key overwrite each other's effect
 * (allow, block and quarantine of one device all set its list membership). undefined: nothing.
 */
export function actionKey(action: ExchangeActionV1): string | undefined {
  switch (action.kind) {
    case 'allow-device':
    case 'block-device':
    case 'quarantine-device':
      return `access:${action.deviceId}`;
    case 'remove-device':
      return `partnership:${action.deviceId}`;
    case 'wipe-device':
    case 'cancel-wipe':
      return `wipe:${action.deviceId}`;
    case 'assign-mailbox-policy':
      return 'mailbox-policy';
    case 'set-organization-default':
    case 'upsert-device-access-rule':
    case 'remove-device-access-rule':
    case 'upsert-mailbox-policy':
      return undefined;
  }
}

/**
 * The executor's outcome of one command. Only the newest command sent for what it changes moves the
 * view: a late result of an older one (an allow overtaken by a block sent since) is history, the view
 * already holds the newer command's effect, and applying the old one would make the next plan believe
 * Exchange is where it is not. `sentSince`: the actions sent to the mailbox after this one.
 */
export function applyCommandResult(
  view: ExchangeView,
  action: ExchangeActionV1,
  outcome: 'applied' | 'skipped' | 'failed',
  sentSince: readonly ExchangeActionV1[],
): ExchangeView {
  const key = actionKey(action);
  if (key !== undefined && sentSince.some((later) => actionKey(later) === key)) return view;
  return outcome === 'failed' ? forgetAction(view, action) : applyAction(view, action);
}
