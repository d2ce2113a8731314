import { type CloudEvent, type MdmComplianceState, type MdmComplianceV1 } from '@easgate/contracts';
import { complianceEvent, complianceFeed } from '@easgate/policy-translator';
import type { SandboxAdmin } from '@easgate/testing';

/**
 * One scenario's slice of the tenant: its own mailboxes (`<prefix>u<n>`) and MDM devices
 * (`<prefix>-mdm-<n>`), so that scenarios sharing one sandbox and one deployment read back only
 * what is theirs.
 */
export interface ScenarioFeed {
  prefix: string;
  events: CloudEvent<MdmComplianceV1>[];
}

/**
 * The realistic MDM mix of `complianceFeed` (the one `easgate mdm generate` sends: check-ins,
 * non-compliance, resets to a new EAS id, selective wipes, duplicates, reordering), renamed into the
 * scenario's own mailboxes and devices of the sandbox organization.
 */
export function scenarioFeed(input: {
  prefix: string;
  tenant: string;
  organization: string;
  devices: number;
  events: number;
  seed: number;
}): ScenarioFeed {
  const renamed = new Map<object, CloudEvent<MdmComplianceV1>>();
  const events = complianceFeed({
    tenant: input.tenant,
    devices: input.devices,
    events: input.events,
    seed: input.seed,
    domain: input.organization,
  }).map((event) => {
    // A duplicate is the same object twice in the feed: it stays the same event (same id) after renaming.
    const known = renamed.get(event);
    if (known) return known;
    const data = event.data;
    const mdmDeviceId = `${input.prefix}-${data.mdmDeviceId}`;
    const copy: CloudEvent<MdmComplianceV1> = {
      ...event,
      subject: mdmDeviceId,
      data: {
        ...data,
        mdmDeviceId,
        userPrincipalName: `${input.prefix}${data.userPrincipalName}`,
        easDeviceIds: data.easDeviceIds.map((id) => `${input.prefix.toUpperCase()}${id}`),
      },
    };
    renamed.set(event, copy);
    return copy;
  });
  return { prefix: input.prefix, events };
}

/** One hand-made event (full wipes, Outlook devices) in the scenario's naming. */
export function scenarioEvent(input: {
  tenant: string;
  organization: string;
  mailbox: string;
  mdmDeviceId: string;
  easDeviceId: string;
  state: MdmComplianceState;
  sequence: number;
}): CloudEvent<MdmComplianceV1> {
  return complianceEvent({
    tenant: input.tenant,
    userPrincipalName: `${input.mailbox}@${input.organization}`,
    mdmDeviceId: input.mdmDeviceId,
    easDeviceIds: [input.easDeviceId],
    state: input.state,
    reasons: input.state === 'noncompliant' ? ['passcode missing'] : [],
    sequence: input.sequence,
    observedAt: new Date(Date.now() - 60_000 + input.sequence * 10).toISOString(),
  });
}

/**
 * Exchange before the MDM speaks: every mailbox of the feed exists and every EAS id it names has
 * synced once (discovery completed), as devices do before their MDM reports them.
 * `outlook` names EAS ids that are Outlook (REST) clients.
 */
export async function provisionExchange(
  sandbox: SandboxAdmin,
  events: CloudEvent<MdmComplianceV1>[],
  outlook: ReadonlySet<string> = new Set(),
): Promise<{ mailboxes: number; devices: number }> {
  const devicesByMailbox = new Map<string, Set<string>>();
  for (const event of events) {
    const alias = event.data.userPrincipalName.split('@')[0];
    const ids = devicesByMailbox.get(alias) ?? new Set<string>();
    for (const id of event.data.easDeviceIds) ids.add(id);
    devicesByMailbox.set(alias, ids);
  }
  let devices = 0;
  for (const [alias, ids] of devicesByMailbox) {
    await sandbox.addMailbox(alias);
    for (const deviceId of ids) {
      const isOutlook = outlook.has(deviceId);
      const device = await sandbox.connectDevice({
        mailbox: alias,
        deviceId,
        deviceType: isOutlook ? 'Outlook' : 'iPhone',
        clientType: isOutlook ? 'Outlook' : 'EAS',
      });
      await sandbox.completeDiscovery(device.Identity);
      devices++;
    }
  }
  return { mailboxes: devicesByMailbox.size, devices };
}
