import type { ExchangeActionV1, ExchangeCommandV1 } from '@easgate/contracts';

/** What easgate knows of a mailbox's personal device lists (from discovery and its own changes). */
export interface MailboxLists {
  readonly allowed: readonly string[];
  readonly blocked: readonly string[];
  /** Mailbox policy name; null = the default policy. Undefined = not known. */
  readonly policy?: string | null;
}

export interface ListChange {
  readonly add: string[];
  readonly remove: string[];
}

/** One Set-CASMailbox carrying every pending list/policy change of a mailbox. */
export interface CasMailboxUpdate {
  readonly allowed: ListChange;
  readonly blocked: ListChange;
  /** Present when the policy changes (null = back to the default). */
  readonly policy?: { value: string | null };
}

export type CommandDisposition =
  /** Carried by the segment's Set-CASMailbox. */
  | { kind: 'coalesced' }
  /** Exchange is already in the wanted state (known from the inventory). */
  | { kind: 'skipped'; detail: string }
  /** A later command for the same device/policy in the same batch decides. */
  | { kind: 'superseded'; by: string }
  /** Runs alone (remove, wipe, cancel wipe, tenant-wide actions). */
  | { kind: 'single' };

/**
 * An ordered piece of a mailbox's pending commands. List changes (allow/block/quarantine/policy)
 * between two device operations coalesce into one Set-CASMailbox; a device operation (remove,
 * wipe, cancel wipe) runs alone, in order, so coalescing never reorders effects.
 */
export type PlanSegment =
  | {
      kind: 'cas';
      commands: ExchangeCommandV1[];
      /** Undefined: nothing to send (every command skipped or superseded). */
      update: CasMailboxUpdate | undefined;
      dispositions: Map<string, CommandDisposition>;
    }
  | { kind: 'single'; command: ExchangeCommandV1 };

const LIST_KINDS = new Set<ExchangeActionV1['kind']>([
  'allow-device',
  'block-device',
  'quarantine-device',
  'assign-mailbox-policy',
]);

export function isListAction(action: ExchangeActionV1): boolean {
  return LIST_KINDS.has(action.kind);
}

/** Splits a mailbox's pending commands (in arrival order) into segments and coalesces each. */
export function planMailbox(
  commands: readonly ExchangeCommandV1[],
  known: MailboxLists | undefined,
): PlanSegment[] {
  const segments: PlanSegment[] = [];
  let run: ExchangeCommandV1[] = [];
  let lists = known;
  const flush = () => {
    if (run.length === 0) return;
    const segment = coalesce(run, lists);
    segments.push(segment);
    if (lists && segment.kind === 'cas' && segment.update) lists = applyUpdate(lists, segment.update);
    run = [];
  };
  for (const command of commands) {
    if (isListAction(command.action)) run.push(command);
    else {
      flush();
      segments.push({ kind: 'single', command });
    }
  }
  flush();
  return segments;
}

type DeviceWanted = 'allowed' | 'blocked' | 'neither';

function coalesce(commands: ExchangeCommandV1[], known: MailboxLists | undefined): PlanSegment {
  const dispositions = new Map<string, CommandDisposition>();
  // The last command per device (and for the policy) decides; earlier ones are superseded.
  const lastByDevice = new Map<string, ExchangeCommandV1>();
  let lastPolicy: ExchangeCommandV1 | undefined;
  for (const command of commands) {
    const action = command.action;
    if (action.kind === 'assign-mailbox-policy') {
      if (lastPolicy) dispositions.set(lastPolicy.commandId, { kind: 'superseded', by: command.commandId });
      lastPolicy = command;
      continue;
    }
    const deviceId = 'deviceId' in action ? action.deviceId : '';
    const key = deviceId.toLowerCase();
    const previous = lastByDevice.get(key);
    if (previous) dispositions.set(previous.commandId, { kind: 'superseded', by: command.commandId });
    lastByDevice.set(key, command);
  }
  const allowed: ListChange = { add: [], remove: [] };
  const blocked: ListChange = { add: [], remove: [] };
  const has = (list: readonly string[], id: string) => list.some((x) => x.toLowerCase() === id.toLowerCase());
  for (const command of lastByDevice.values()) {
    const action = command.action;
    if (!('deviceId' in action)) continue;
    const id = action.deviceId;
    const wanted: DeviceWanted =
      action.kind === 'allow-device' ? 'allowed' : action.kind === 'block-device' ? 'blocked' : 'neither';
    const inAllowed = known ? has(known.allowed, id) : undefined;
    const inBlocked = known ? has(known.blocked, id) : undefined;
    const before = {
      allowed: allowed.add.length + allowed.remove.length,
      blocked: blocked.add.length + blocked.remove.length,
    };
    // Unknown lists: send the full intent (Add/Remove are idempotent set operations).
    if (wanted === 'allowed') {
      if (inAllowed !== true) allowed.add.push(id);
      if (inBlocked !== false) blocked.remove.push(id);
    } else if (wanted === 'blocked') {
      if (inBlocked !== true) blocked.add.push(id);
      if (inAllowed !== false) allowed.remove.push(id);
    } else {
      if (inAllowed !== false) allowed.remove.push(id);
      if (inBlocked !== false) blocked.remove.push(id);
    }
    const changed =
      allowed.add.length + allowed.remove.length !== before.allowed ||
      blocked.add.length + blocked.remove.length !== before.blocked;
    dispositions.set(
      command.commandId,
      changed
        ? { kind: 'coalesced' }
        : { kind: 'skipped', detail: `device ${id} is already ${describe(wanted)}` },
    );
  }
  let policy: { value: string | null } | undefined;
  if (lastPolicy && lastPolicy.action.kind === 'assign-mailbox-policy') {
    const value = lastPolicy.action.policy;
    const same =
      known?.policy !== undefined &&
      (known.policy === null
        ? value === null
        : value !== null && known.policy.toLowerCase() === value.toLowerCase());
    if (same)
      dispositions.set(lastPolicy.commandId, {
        kind: 'skipped',
        detail: `mailbox policy is already ${value ?? 'the default'}`,
      });
    else {
      policy = { value };
      dispositions.set(lastPolicy.commandId, { kind: 'coalesced' });
    }
  }
  const empty =
    allowed.add.length + allowed.remove.length + blocked.add.length + blocked.remove.length === 0 && !policy;
  return {
    kind: 'cas',
    commands,
    update: empty ? undefined : { allowed, blocked, ...(policy && { policy }) },
    dispositions,
  };
}

function describe(wanted: DeviceWanted): string {
  return wanted === 'allowed'
    ? 'on the allow list'
    : wanted === 'blocked'
      ? 'on the block list'
      : 'on neither personal list';
}

/** The lists after a successful Set-CASMailbox (set semantics, case-insensitive, removes first). */
export function applyUpdate(lists: MailboxLists, update: CasMailboxUpdate): MailboxLists {
  const apply = (list: readonly string[], change: ListChange) => {
    const removed = new Set(change.remove.map((x) => x.toLowerCase()));
    const out = list.filter((x) => !removed.has(x.toLowerCase()));
    for (const id of change.add) if (!out.some((x) => x.toLowerCase() === id.toLowerCase())) out.push(id);
    return out;
  };
  return {
    allowed: apply(lists.allowed, update.allowed),
    blocked: apply(lists.blocked, update.blocked),
    policy: update.policy ? update.policy.value : lists.policy,
  };
}

/** Set-CASMailbox parameters for an update (GenericHashTable Add/Remove through cmdlet-schemas). */
export function casMailboxParameters(mailbox: string, update: CasMailboxUpdate): Record<string, unknown> {
  const list = (change: ListChange) =>
    change.add.length + change.remove.length === 0
      ? undefined
      : {
          ...(change.add.length > 0 && { add: change.add }),
          ...(change.remove.length > 0 && { remove: change.remove }),
        };
  const allowed = list(update.allowed);
  const blocked = list(update.blocked);
  return {
    Identity: mailbox,
    ...(allowed && { ActiveSyncAllowedDeviceIDs: allowed }),
    ...(blocked && { ActiveSyncBlockedDeviceIDs: blocked }),
    ...(update.policy && { ActiveSyncMailboxPolicy: update.policy.value }),
  };
}
