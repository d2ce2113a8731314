import type { MdmComplianceState, MdmComplianceV1 } from '@easgate/contracts';
import { decide, type DesiredAccess, type DeviceAction, type TranslatorRules } from './rules';

/** Where an event stands in its device's history: `sequence` when both sides have one, else `observedAt`. */
export interface EventPosition {
  sequence?: number;
  observedAt: string;
}

/** The desired Exchange state of one MDM device, derived from its newest verdict. */
export interface DeviceDesiredState {
  tenant: string;
  mdmDeviceId: string;
  mailbox: string;
  /** The EAS ids the newest verdict names. */
  easDeviceIds: string[];
  /** EAS ids this device used before (wipe/reset): taken off the allow list and removed. */
  retiredEasDeviceIds: string[];
  state: MdmComplianceState;
  reasons: string[];
  policyGroup?: string;
  platform: string;
  model: string;
  access: DesiredAccess;
  action: DeviceAction;
  mailboxPolicy?: string | null;
  rule: string;
  rulesVersion: number;
  /** EAS ids whose one-shot action for the current verdict was already issued. */
  actionIssuedFor: string[];
  /** EAS ids easgate sent a wipe for (kept across verdicts): only those wipes are ever cancelled. */
  wipesIssued?: string[];
  position: EventPosition;
  lastEvent: { source: string; id: string };
}

export interface ComplianceInput {
  source: string;
  id: string;
  data: MdmComplianceV1;
}

export type ApplyOutcome =
  | { outcome: 'applied'; next: DeviceDesiredState; retired: string[] }
  | { outcome: 'stale'; current: DeviceDesiredState };

/** Ordering: true when `incoming` is strictly newer than `current`. */
export function isNewer(incoming: EventPosition, current: EventPosition): boolean {
  if (incoming.sequence !== undefined && current.sequence !== undefined) {
    if (incoming.sequence !== current.sequence) return incoming.sequence > current.sequence;
  }
  return Date.parse(incoming.observedAt) > Date.parse(current.observedAt);
}

export function normalizeTenant(tenant: string): string {
  return tenant.toLowerCase();
}

export function normalizeMailbox(upn: string): string {
  return upn.toLowerCase();
}

/**
 * Applies one verdict to a device's desired state. Older or equal events change nothing, so
 * repeats and reordering can never move a device backwards.
 */
export function applyCompliance(
  current: DeviceDesiredState | undefined,
  event: ComplianceInput,
  rules: TranslatorRules,
  rulesVersion: number,
): ApplyOutcome {
  const data = event.data;
  const position: EventPosition = {
    observedAt: data.observedAt,
    ...(data.sequence !== undefined && { sequence: data.sequence }),
  };
  if (current && !isNewer(position, current.position)) return { outcome: 'stale', current };

  const easDeviceIds = [...new Set(data.easDeviceIds)];
  // An empty list means "not synced yet", not "forget the ids": keep the ones known.
  const effectiveIds = easDeviceIds.length > 0 ? easDeviceIds : (current?.easDeviceIds ?? []);
  const retired = (current?.easDeviceIds ?? []).filter((id) => !effectiveIds.includes(id));
  const retiredEasDeviceIds = [...new Set([...(current?.retiredEasDeviceIds ?? []), ...retired])].filter(
    (id) => !effectiveIds.includes(id),
  );
  const decision = decide(data.state, data.policyGroup, rules);
  const sameVerdict =
    current !== undefined && current.state === data.state && current.action === decision.action;
  const next: DeviceDesiredState = {
    tenant: normalizeTenant(data.tenant),
    mdmDeviceId: data.mdmDeviceId,
    mailbox: normalizeMailbox(data.userPrincipalName),
    easDeviceIds: effectiveIds,
    retiredEasDeviceIds,
    state: data.state,
    reasons: data.reasons,
    platform: data.platform,
    model: data.model,
    access: decision.access,
    action: decision.action,
    rule: decision.rule,
    rulesVersion,
    actionIssuedFor: sameVerdict ? current.actionIssuedFor.filter((id) => effectiveIds.includes(id)) : [],
    ...(current?.wipesIssued !== undefined && { wipesIssued: current.wipesIssued }),
    position,
    lastEvent: { source: event.source, id: event.id },
    ...(data.policyGroup !== undefined && { policyGroup: data.policyGroup }),
    ...(decision.mailboxPolicy !== undefined && { mailboxPolicy: decision.mailboxPolicy }),
  };
  return { outcome: 'applied', next, retired };
}

/** The same device under other rules (a rule change, or a what-if preview). */
export function redecide(
  device: DeviceDesiredState,
  rules: TranslatorRules,
  rulesVersion: number,
): DeviceDesiredState {
  const decision = decide(device.state, device.policyGroup, rules);
  const { mailboxPolicy: _old, ...rest } = device;
  return {
    ...rest,
    access: decision.access,
    action: decision.action,
    rule: decision.rule,
    rulesVersion,
    actionIssuedFor: decision.action === device.action ? device.actionIssuedFor : [],
    ...(decision.mailboxPolicy !== undefined && { mailboxPolicy: decision.mailboxPolicy }),
  };
}
