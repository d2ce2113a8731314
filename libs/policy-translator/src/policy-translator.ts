import { randomUUID } from 'node:crypto';
import {
  createCloudEvent,
  type CloudEvent,
  ExchangeCommandV1,
  ExchangeEventTypes,
  type ExchangeInventoryV1,
  type ExchangeResultV1,
  mailboxKey,
  type MdmComplianceV1,
  Topics,
} from '@easgate/contracts';
import type { Outbox, OutboxItem } from '@easgate/messaging';
import type { Database, Tx } from '@easgate/persistence';
import { parseInput } from '@easgate/service-runtime';
import type { TranslatorConfig } from './config';
import {
  applyCommandResult,
  applyCompliance,
  applyInventory,
  normalizeMailbox,
  normalizeTenant,
  planAutoQuarantine,
  planDevice,
  type PlannedCommand,
  previewRules,
  redecide,
  type RulesPreview,
  TranslatorError,
  TranslatorErrorCode,
  TranslatorRules,
  wipeStatuses,
} from './domain';
import {
  BulkTranslatorRepository,
  type CommandRecord,
  type ComplianceEventRecord,
  type DeviceListQuery,
  type TranslatorRepository,
  type VersionedRules,
} from './infra/translator.repository';
import type { DeviceDesiredState, ExchangeView } from './domain';
import { emptyView } from './domain';

let lastCommandMs = 0;
let commandsThisMs = 0;

/**
 * When commands are recorded: strictly increasing in this process, with sub-millisecond digits
 * (ISO 8601, compared as text in the command log). Each verdict's commands share one time and
 * later verdicts get later times, also inside one batch transaction, so that "commands sent since"
 * never sees a command of the same verdict nor misses a later one.
 */
function commandTime(): { createdAt: string; requestedAt: string } {
  const now = Date.now();
  if (now > lastCommandMs) {
    lastCommandMs = now;
    commandsThisMs = 0;
  } else if (++commandsThisMs > 999) {
    lastCommandMs++;
    commandsThisMs = 0;
  }
  const requestedAt = new Date(lastCommandMs).toISOString();
  return { requestedAt, createdAt: `${requestedAt.slice(0, -1)}${String(commandsThisMs).padStart(3, '0')}Z` };
}

export interface ComplianceBatchOutcome {
  applied: number;
  stale: number;
  commands: number;
}

export interface Cause {
  source: string;
  id: string;
  type: string;
}

/** The translator's use cases: each runs inside the caller's transaction (the inbox's, or its own). */
export class PolicyTranslator {
  private readonly bulk = new BulkTranslatorRepository();

  constructor(
    private readonly db: Database,
    private readonly repo: TranslatorRepository,
    private readonly outbox: Outbox,
    private readonly config: TranslatorConfig,
  ) {}

  /**
   * Many MDM verdicts in the caller's ONE transaction, with the same outcome as applying them one
   * by one in this order: each tenant's rules read once; the views and devices the batch touches
   * read (and locked on PostgreSQL, views then devices, each in key order) with one statement each;
   * the pure domain functions applied in memory in batch order (a later event of a device sees the
   * state the earlier one left); then the changed devices and views, the event history, the
   * command log and the outbox written with a few multi-row statements. An event whose subject
   * contradicts its data fails the whole call (the delivery pipeline then isolates it).
   */
  async applyComplianceBatch(tx: Tx, events: CloudEvent<MdmComplianceV1>[]): Promise<ComplianceBatchOutcome> {
    for (const event of events) {
      if (event.subject !== undefined && event.subject !== event.data.mdmDeviceId) {
        throw new TranslatorError(
          TranslatorErrorCode.SubjectMismatch,
          `subject "${event.subject}" must equal data.mdmDeviceId "${event.data.mdmDeviceId}"`,
        );
      }
    }
    const byTenant = new Map<string, CloudEvent<MdmComplianceV1>[]>();
    for (const event of events) {
      const tenant = normalizeTenant(event.data.tenant);
      const list = byTenant.get(tenant) ?? [];
      list.push(event);
      byTenant.set(tenant, list);
    }
    const tenants = [...byTenant.keys()].sort();
    const rules = new Map<string, VersionedRules>();
    const views = new Map<string, Map<string, { view: ExchangeView; json?: string }>>();
    const devices = new Map<string, Map<string, { device: DeviceDesiredState; json?: string }>>();
    for (const tenant of tenants) {
      rules.set(tenant, await this.bulk.currentRules(tx, tenant));
      const stored = await this.bulk.viewsForUpdate(
        tx,
        tenant,
        byTenant.get(tenant)!.map((e) => normalizeMailbox(e.data.userPrincipalName)),
      );
      views.set(tenant, new Map([...stored].map(([k, v]) => [k, { view: v.value, json: v.json }])));
    }
    for (const tenant of tenants) {
      const stored = await this.bulk.devicesForUpdate(
        tx,
        tenant,
        byTenant.get(tenant)!.map((e) => e.data.mdmDeviceId),
      );
      devices.set(tenant, new Map([...stored].map(([k, v]) => [k, { device: v.value, json: v.json }])));
    }
    const history: { tenant: string; mdmDeviceId: string; event: ComplianceEventRecord }[] = [];
    const changedDevices = new Set<string>();
    const changedViews = new Set<string>();
    const sends: { tenant: string; commands: PlannedCommand[]; cause: Cause }[] = [];
    const receivedAt = new Date().toISOString();
    let applied = 0;
    for (const event of events) {
      const data = event.data;
      const tenant = normalizeTenant(data.tenant);
      const { rules: tenantRules, version } = rules.get(tenant)!;
      const tenantViews = views.get(tenant)!;
      const tenantDevices = devices.get(tenant)!;
      const mailbox = normalizeMailbox(data.userPrincipalName);
      const view = tenantViews.get(mailbox)?.view ?? emptyView(tenant, mailbox);
      const current = tenantDevices.get(data.mdmDeviceId)?.device;
      const result = applyCompliance(
        current,
        { source: event.source, id: event.id, data },
        tenantRules,
        version,
      );
      history.push({
        tenant,
        mdmDeviceId: data.mdmDeviceId,
        event: {
          eventSource: event.source,
          eventId: event.id,
          state: data.state,
          ...(data.sequence !== undefined && { sequence: data.sequence }),
          observedAt: data.observedAt,
          outcome: result.outcome,
          receivedAt,
        },
      });
      if (result.outcome === 'stale') continue;
      applied++;
      const plan = planDevice(result.next, view);
      tenantDevices.set(data.mdmDeviceId, {
        device: plan.device,
        json: tenantDevices.get(data.mdmDeviceId)?.json,
      });
      changedDevices.add(`${tenant}\n${data.mdmDeviceId}`);
      if (plan.view !== view) {
        tenantViews.set(mailbox, { view: plan.view, json: tenantViews.get(mailbox)?.json });
        changedViews.add(`${tenant}\n${mailbox}`);
      } else if (!tenantViews.has(mailbox)) {
        // As one by one: a device's first verdict stores its mailbox's (empty) view.
        tenantViews.set(mailbox, { view });
        changedViews.add(`${tenant}\n${mailbox}`);
      }
      if (plan.commands.length > 0)
        sends.push({
          tenant,
          commands: plan.commands,
          cause: { source: event.source, id: event.id, type: event.type },
        });
    }
    const deviceRows: { tenant: string; device: DeviceDesiredState; json: string }[] = [];
    for (const key of changedDevices) {
      const [tenant, id] = key.split('\n');
      const device = devices.get(tenant)!.get(id)!.device;
      deviceRows.push({ tenant, device, json: JSON.stringify(device) });
    }
    const viewRows: { tenant: string; view: ExchangeView; json: string }[] = [];
    for (const key of [...changedViews].sort()) {
      const [tenant, mailbox] = key.split('\n');
      const entry = views.get(tenant)!.get(mailbox)!;
      const json = JSON.stringify(entry.view);
      if (json !== entry.json) viewRows.push({ tenant, view: entry.view, json });
    }
    await this.bulk.saveDevices(tx, deviceRows);
    await this.bulk.saveViews(tx, viewRows);
    await this.bulk.recordEvents(tx, history);
    const commands = await this.sendMany(tx, sends);
    return { applied, stale: events.length - applied, commands };
  }

  /** One MDM verdict: store it, update the device's desired state, send what differs. */
  async applyCompliance(
    tx: Tx,
    event: CloudEvent<MdmComplianceV1>,
  ): Promise<{ outcome: 'applied' | 'stale'; commands: number }> {
    const data = event.data;
    if (event.subject !== undefined && event.subject !== data.mdmDeviceId) {
      throw new TranslatorError(
        TranslatorErrorCode.SubjectMismatch,
        `subject "${event.subject}" must equal data.mdmDeviceId "${data.mdmDeviceId}"`,
      );
    }
    const tenant = normalizeTenant(data.tenant);
    const { rules, version } = await this.repo.currentRules(tx, tenant);
    // Lock order everywhere: the mailbox view, then its devices.
    const view = await this.repo.view(tx, tenant, normalizeMailbox(data.userPrincipalName));
    const current = await this.repo.findDevice(tx, tenant, data.mdmDeviceId);
    const result = applyCompliance(current, { source: event.source, id: event.id, data }, rules, version);
    await this.repo.recordEvent(tx, tenant, data.mdmDeviceId, {
      eventSource: event.source,
      eventId: event.id,
      state: data.state,
      ...(data.sequence !== undefined && { sequence: data.sequence }),
      observedAt: data.observedAt,
      outcome: result.outcome,
      receivedAt: new Date().toISOString(),
    });
    if (result.outcome === 'stale') return { outcome: 'stale', commands: 0 };
    const plan = planDevice(result.next, view);
    await this.repo.saveDevice(tx, tenant, plan.device);
    await this.repo.saveView(tx, tenant, plan.view);
    await this.send(tx, tenant, plan.commands, { source: event.source, id: event.id, type: event.type });
    return { outcome: 'applied', commands: plan.commands.length };
  }

  /** Exchange's state of one mailbox: repair drift from the desired state, quarantine devices no MDM knows. */
  async applyInventory(tx: Tx, event: CloudEvent<ExchangeInventoryV1>, now = new Date()): Promise<number> {
    const tenant = normalizeTenant(event.data.tenant);
    const mailbox = normalizeMailbox(event.data.mailbox);
    const before = await this.repo.view(tx, tenant, mailbox);
    let view = applyInventory(before, { ...event.data, mailbox });
    if (view === before) return 0;
    const { rules } = await this.repo.currentRules(tx, tenant);
    const commands: PlannedCommand[] = [];
    const reported = new Set<string>();
    for (const device of await this.repo.devicesOfMailbox(tx, tenant, mailbox)) {
      device.easDeviceIds.forEach((id) => reported.add(id));
      device.retiredEasDeviceIds.forEach((id) => reported.add(id));
      const plan = planDevice(device, view);
      view = plan.view;
      commands.push(...plan.commands);
      if (plan.commands.length > 0) await this.repo.saveDevice(tx, tenant, plan.device);
    }
    const quarantine = planAutoQuarantine(view, reported, rules, now);
    commands.push(...quarantine.commands);
    await this.repo.saveView(tx, tenant, quarantine.view);
    await this.send(tx, tenant, commands, { source: event.source, id: event.id, type: event.type });
    return commands.length;
  }

  /** The executor's outcome of one of our commands: what Exchange now looks like. */
  async applyResult(tx: Tx, event: CloudEvent<ExchangeResultV1>): Promise<void> {
    const result = event.data;
    const tenant = normalizeTenant(result.tenant);
    const command = await this.repo.findCommand(tx, tenant, result.commandId);
    if (!command) return; // another producer's command
    await this.repo.completeCommand(tx, tenant, result.commandId, result);
    const view = await this.repo.view(tx, tenant, command.mailbox);
    // A result only moves the view when no newer command for the same device (or policy) was sent
    // since: a late result of an overtaken command must not undo what the newer one assumed.
    const sentSince = await this.repo.commandsOfMailboxSince(tx, tenant, command);
    const next = applyCommandResult(
      view,
      command.action,
      result.outcome,
      sentSince.map((c) => c.action),
    );
    if (next !== view) await this.repo.saveView(tx, tenant, next);
  }

  /** Looks for devices no MDM reported past the grace period, in every tenant that enabled it. */
  async sweepAutoQuarantine(now = new Date(), onlyTenant?: string): Promise<number> {
    return this.db.transaction(async (tx) => {
      const tenants = onlyTenant ? [normalizeTenant(onlyTenant)] : await this.repo.tenantsWithRules(tx);
      let sent = 0;
      for (const tenant of tenants) {
        const { rules } = await this.repo.currentRules(tx, tenant);
        if (!rules.autoQuarantine.enabled) continue;
        const reported = new Set<string>();
        for (const device of await this.repo.devicesOfTenant(tx, tenant)) {
          device.easDeviceIds.forEach((id) => reported.add(id));
          device.retiredEasDeviceIds.forEach((id) => reported.add(id));
        }
        for (const view of await this.repo.viewsOfTenant(tx, tenant)) {
          const plan = planAutoQuarantine(view, reported, rules, now);
          if (plan.view === view) continue;
          await this.repo.saveView(tx, tenant, plan.view);
          await this.send(tx, tenant, plan.commands, undefined);
          sent += plan.commands.length;
        }
      }
      return sent;
    });
  }

  async rules(tenant: string): Promise<VersionedRules> {
    return this.db.read((m) => this.repo.currentRules(m, normalizeTenant(tenant)));
  }

  async rulesHistory(tenant: string): Promise<VersionedRules[]> {
    return this.db.read((m) => this.repo.rulesHistory(m, normalizeTenant(tenant)));
  }

  /** A new rules version; every device of the tenant is re-decided and what differs is sent. */
  async putRules(
    tenantInput: string,
    input: unknown,
    expectedVersion: number | undefined,
    by: string,
  ): Promise<{ version: number; devicesChanged: number; commands: number }> {
    const rules = parseRules(input);
    const tenant = normalizeTenant(tenantInput);
    return this.db.transaction(async (tx) => {
      const current = await this.repo.currentRules(tx, tenant);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new TranslatorError(
          TranslatorErrorCode.RulesVersionConflict,
          `rules are at version ${current.version}, not ${expectedVersion}: reload them and apply your change again`,
        );
      }
      const version = current.version + 1;
      await this.repo.insertRules(tx, tenant, version, rules, by);
      const devices = await this.repo.devicesOfTenant(tx, tenant);
      const changed = previewRules(devices, rules, version).changes.map((c) => c.mdmDeviceId);
      let commands = 0;
      for (const device of devices.filter((d) => changed.includes(d.mdmDeviceId))) {
        const view = await this.repo.view(tx, tenant, device.mailbox);
        const fresh = (await this.repo.findDevice(tx, tenant, device.mdmDeviceId)) ?? device;
        const plan = planDevice(redecide(fresh, rules, version), view);
        await this.repo.saveDevice(tx, tenant, plan.device);
        await this.repo.saveView(tx, tenant, plan.view);
        await this.send(
          tx,
          tenant,
          plan.commands.map((c) => ({
            ...c,
            reason: `${c.reason}; rules changed to v${version} by ${by}`.slice(0, 2000),
          })),
          undefined,
        );
        commands += plan.commands.length;
      }
      return { version, devicesChanged: changed.length, commands };
    });
  }

  async previewRules(tenant: string, input: unknown): Promise<RulesPreview & { currentVersion: number }> {
    const rules = parseRules(input);
    return this.db.read(async (m) => {
      const t = normalizeTenant(tenant);
      const { version } = await this.repo.currentRules(m, t);
      return {
        currentVersion: version,
        ...previewRules(await this.repo.devicesOfTenant(m, t), rules, version + 1),
      };
    });
  }

  /** Why a device is where it is: events, rule, desired state, Exchange's state, commands and results. */
  async explain(tenantInput: string, mdmDeviceId: string) {
    const tenant = normalizeTenant(tenantInput);
    return this.db.read(async (m) => {
      const device = await this.repo.findDevice(m, tenant, mdmDeviceId);
      if (!device) {
        throw new TranslatorError(
          TranslatorErrorCode.DeviceNotFound,
          `no MDM has reported device ${mdmDeviceId} in tenant ${tenant}`,
        );
      }
      const view = await this.repo.view(m, tenant, device.mailbox);
      const ids = [...device.easDeviceIds, ...device.retiredEasDeviceIds];
      return {
        tenant,
        mdmDeviceId,
        rule: { matched: device.rule, rulesVersion: device.rulesVersion },
        desired: device,
        exchange: {
          mailbox: view.mailbox,
          inventoryAt: view.inventoryAt ?? null,
          mailboxPolicy: view.mailboxPolicy,
          devices: ids.map((id) => ({
            deviceId: id,
            onAllowList: view.allowedDeviceIds.includes(id),
            onBlockList: view.blockedDeviceIds.includes(id),
            uncertain: view.uncertainDeviceIds.includes(id),
            inventory: view.devices[id] ?? null,
          })),
        },
        events: await this.repo.eventsOfDevice(m, tenant, mdmDeviceId),
        commands: await this.repo.commandsOfDevice(m, tenant, mdmDeviceId),
      };
    });
  }

  /** A device's desired state, and where each wipe easgate asked for stands (`wipes`). */
  async device(tenantInput: string, mdmDeviceId: string) {
    const tenant = normalizeTenant(tenantInput);
    return this.db.read(async (m) => {
      const found = await this.repo.findDevice(m, tenant, mdmDeviceId);
      if (!found)
        throw new TranslatorError(
          TranslatorErrorCode.DeviceNotFound,
          `no MDM has reported device ${mdmDeviceId}`,
        );
      const commands = await this.repo.commandsOfDevice(m, tenant, mdmDeviceId);
      const view = commands.some((c) => c.action.kind === 'wipe-device')
        ? await this.repo.view(m, tenant, found.mailbox)
        : undefined;
      return { ...found, wipes: wipeStatuses(commands, view) };
    });
  }

  /**
   * A page of the tenant's devices for the console: mailbox, MDM state, desired access and Exchange's
   * (from the last inventory and the commands since), the newest command and its result.
   */
  async listDevices(tenantInput: string, query: DeviceListQuery) {
    const tenant = normalizeTenant(tenantInput);
    return this.db.read(async (m) => {
      const page = await this.repo.listDevices(m, tenant, query);
      const ids = page.devices.map((d) => d.mdmDeviceId);
      const [commands, views] = await Promise.all([
        this.repo.lastCommandsOf(m, tenant, ids),
        this.repo.viewsOf(
          m,
          tenant,
          page.devices.map((d) => d.mailbox),
        ),
      ]);
      return {
        tenant,
        total: page.total,
        ...(page.next !== undefined && { next: page.next }),
        devices: page.devices.map((device) => {
          const view = views.get(device.mailbox);
          const command = commands.get(device.mdmDeviceId);
          return {
            mdmDeviceId: device.mdmDeviceId,
            mailbox: device.mailbox,
            easDeviceIds: device.easDeviceIds,
            platform: device.platform,
            model: device.model,
            mdmState: device.state,
            desiredAccess: device.access,
            rule: device.rule,
            exchangeAccess: device.easDeviceIds.map((id) => ({
              deviceId: id,
              accessState: view?.devices[id]?.accessState ?? null,
              onAllowList: view?.allowedDeviceIds.includes(id) ?? false,
              onBlockList: view?.blockedDeviceIds.includes(id) ?? false,
            })),
            lastCommand: command
              ? {
                  commandId: command.commandId,
                  action: command.action.kind,
                  createdAt: command.createdAt,
                  outcome: command.outcome ?? null,
                  error: command.error?.code ?? null,
                }
              : null,
            lastEventAt: device.position.observedAt,
          };
        }),
      };
    });
  }

  private async send(
    tx: Tx,
    tenant: string,
    commands: PlannedCommand[],
    cause: Cause | undefined,
  ): Promise<void> {
    await this.sendMany(tx, [{ tenant, commands, ...(cause !== undefined && { cause }) }]);
  }

  /** Records the commands and enqueues them, each group (one verdict's) at its own command time. */
  private async sendMany(
    tx: Tx,
    groups: { tenant: string; commands: PlannedCommand[]; cause?: Cause }[],
  ): Promise<number> {
    const records: { tenant: string; command: CommandRecord }[] = [];
    const items: OutboxItem[] = [];
    for (const { tenant, commands, cause } of groups) {
      if (commands.length === 0) continue;
      const { createdAt, requestedAt } = commandTime();
      for (const command of commands) {
        const commandId = randomUUID();
        const data = ExchangeCommandV1.parse({
          commandId,
          tenant,
          mailbox: command.mailbox,
          action: command.action,
          reason: command.reason,
          ...(cause !== undefined && { cause }),
          requestedBy: this.config.requestedBy,
          requestedAt,
        });
        records.push({
          tenant,
          command: {
            commandId,
            mailbox: command.mailbox,
            action: command.action,
            reason: command.reason,
            createdAt,
            ...(command.mdmDeviceId !== undefined && { mdmDeviceId: command.mdmDeviceId }),
            ...(command.deviceId !== undefined && { deviceId: command.deviceId }),
            ...(cause !== undefined && { causeEventId: cause.id }),
          },
        });
        items.push({
          topic: Topics.ExchangeCommand,
          key: mailboxKey(tenant, command.mailbox),
          event: createCloudEvent({
            id: commandId,
            source: this.config.eventSource,
            type: ExchangeEventTypes.Command,
            subject: command.mailbox,
            tenant,
            data,
          }),
        });
      }
    }
    if (records.length === 0) return 0;
    await this.bulk.recordCommands(tx, records);
    await this.outbox.enqueueMany(tx, items);
    return records.length;
  }
}

function parseRules(input: unknown): TranslatorRules {
  return parseInput(
    TranslatorRules,
    input,
    (issues) => new TranslatorError(TranslatorErrorCode.InvalidRules, issues),
    '(rules)',
  );
}
