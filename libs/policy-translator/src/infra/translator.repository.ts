import type { ExchangeActionV1, ExchangeResultV1 } from '@easgate/contracts';
import { type BulkColumn, bulkInsert, isPostgres, oneOf } from '@easgate/messaging';
import type { Tx } from '@easgate/persistence';
import { MoreThanOrEqual } from 'typeorm';
import {
  defaultRules,
  type DeviceDesiredState,
  emptyView,
  type ExchangeView,
  TranslatorRules,
} from '../domain';
import {
  CommandLogEntity,
  ComplianceEventEntity,
  DeviceDesiredStateEntity,
  ExchangeViewEntity,
  TranslatorRulesEntity,
} from './entities';

export interface VersionedRules {
  tenant: string;
  version: number;
  rules: TranslatorRules;
  createdAt?: string;
  createdBy?: string;
}

export interface ComplianceEventRecord {
  eventSource: string;
  eventId: string;
  state: string;
  sequence?: number;
  observedAt: string;
  outcome: 'applied' | 'stale';
  receivedAt: string;
}

export interface DeviceListQuery {
  /** Prefix of the mailbox (UPN) or of the MDM device id, case-insensitive. */
  search?: string;
  state?: string;
  access?: string;
  /** Keyset: the last MDM device id of the previous page. */
  after?: string;
  limit: number;
}

export interface DeviceListPage {
  devices: DeviceDesiredState[];
  /** Devices matching the filters (every page). */
  total: number;
  /** The `after` of the next page, when there is one. */
  next?: string;
}

export interface CommandRecord {
  commandId: string;
  mailbox: string;
  mdmDeviceId?: string;
  deviceId?: string;
  action: ExchangeActionV1;
  reason: string;
  causeEventId?: string;
  createdAt: string;
  outcome?: string;
  completedAt?: string;
  error?: { code: string; message: string; retriable: boolean };
  detail?: string;
  wipe?: ExchangeResultV1['wipe'];
}

/** The translator's storage. Every method takes the tenant first; JSON columns hold domain types. */
export class TranslatorRepository {
  async currentRules(tx: Tx, tenant: string): Promise<VersionedRules> {
    const row = await tx
      .getRepository(TranslatorRulesEntity)
      .findOne({ where: { tenant }, order: { version: 'DESC' } });
    if (!row) return { tenant, version: 0, rules: defaultRules() };
    return {
      tenant,
      version: row.version,
      rules: TranslatorRules.parse(JSON.parse(row.rules)),
      createdAt: row.createdAt,
      createdBy: row.createdBy,
    };
  }

  async rulesHistory(tx: Tx, tenant: string): Promise<VersionedRules[]> {
    const rows = await tx
      .getRepository(TranslatorRulesEntity)
      .find({ where: { tenant }, order: { version: 'DESC' } });
    return rows.map((row) => ({
      tenant,
      version: row.version,
      rules: TranslatorRules.parse(JSON.parse(row.rules)),
      createdAt: row.createdAt,
      createdBy: row.createdBy,
    }));
  }

  async insertRules(
    tx: Tx,
    tenant: string,
    version: number,
    rules: TranslatorRules,
    createdBy: string,
  ): Promise<void> {
    await tx.getRepository(TranslatorRulesEntity).insert({
      tenant,
      version,
      rules: JSON.stringify(rules),
      createdAt: new Date().toISOString(),
      createdBy,
    });
  }

  async tenantsWithRules(tx: Tx): Promise<string[]> {
    const rows = await tx
      .getRepository(TranslatorRulesEntity)
      .createQueryBuilder('r')
      .select('DISTINCT r.tenant', 'tenant')
      .getRawMany<{ tenant: string }>();
    return rows.map((r) => r.tenant);
  }

  async findDevice(tx: Tx, tenant: string, mdmDeviceId: string): Promise<DeviceDesiredState | undefined> {
    const row = await tx
      .getRepository(DeviceDesiredStateEntity)
      .findOne({ where: { tenant, mdmDeviceId }, ...lockForUpdate(tx) });
    return row ? (JSON.parse(row.stateJson) as DeviceDesiredState) : undefined;
  }

  async devicesOfMailbox(tx: Tx, tenant: string, mailbox: string): Promise<DeviceDesiredState[]> {
    const rows = await tx
      .getRepository(DeviceDesiredStateEntity)
      .find({ where: { tenant, mailbox }, order: { mdmDeviceId: 'ASC' }, ...lockForUpdate(tx) });
    return rows.map((row) => JSON.parse(row.stateJson) as DeviceDesiredState);
  }

  async devicesOfTenant(tx: Tx, tenant: string): Promise<DeviceDesiredState[]> {
    const rows = await tx
      .getRepository(DeviceDesiredStateEntity)
      .find({ where: { tenant }, order: { mdmDeviceId: 'ASC' } });
    return rows.map((row) => JSON.parse(row.stateJson) as DeviceDesiredState);
  }

  /**
   * A page of a tenant's devices in MDM device id order, filtered: the tenant, state and access filters
   * and the keyset are index ranges (primary key, device_desired_state_state/_access); the prefix search
   * is matched within the tenant's rows.
   */
  async listDevices(tx: Tx, tenant: string, query: DeviceListQuery): Promise<DeviceListPage> {
    const filtered = () => {
      const qb = tx
        .getRepository(DeviceDesiredStateEntity)
        .createQueryBuilder('d')
        .where('d.tenant = :tenant', { tenant });
      if (query.state) qb.andWhere('d.state = :state', { state: query.state });
      if (query.access) qb.andWhere('d.access = :access', { access: query.access });
      if (query.search) {
        const prefix = `${query.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        qb.andWhere("(d.mailbox LIKE :prefix ESCAPE '\\' OR LOWER(d.mdmDeviceId) LIKE :prefix ESCAPE '\\')", {
          prefix,
        });
      }
      return qb;
    };
    const page = filtered()
      .orderBy('d.mdmDeviceId', 'ASC')
      .limit(query.limit + 1);
    if (query.after) page.andWhere('d.mdmDeviceId > :after', { after: query.after });
    const [rows, total] = await Promise.all([page.getMany(), filtered().getCount()]);
    const devices = rows.slice(0, query.limit).map((row) => JSON.parse(row.stateJson) as DeviceDesiredState);
    const last = devices.at(-1);
    return { devices, total, ...(rows.length > query.limit && last && { next: last.mdmDeviceId }) };
  }

  /** The newest command of each of these devices (one indexed lookup per page, not per tenant). */
  async lastCommandsOf(tx: Tx, tenant: string, mdmDeviceIds: string[]): Promise<Map<string, CommandRecord>> {
    if (mdmDeviceIds.length === 0) return new Map();
    const rows = await tx
      .getRepository(CommandLogEntity)
      .createQueryBuilder('c')
      .where('c.tenant = :tenant', { tenant })
      .andWhere('c.mdmDeviceId IN (:...ids)', { ids: mdmDeviceIds })
      .orderBy('c.createdAt', 'DESC')
      .getMany();
    const newest = new Map<string, CommandRecord>();
    for (const row of rows)
      if (row.mdmDeviceId && !newest.has(row.mdmDeviceId)) newest.set(row.mdmDeviceId, toCommand(row));
    return newest;
  }

  /** The views of these mailboxes (the page's), by mailbox. */
  async viewsOf(tx: Tx, tenant: string, mailboxes: string[]): Promise<Map<string, ExchangeView>> {
    if (mailboxes.length === 0) return new Map();
    const rows = await tx
      .getRepository(ExchangeViewEntity)
      .createQueryBuilder('v')
      .where('v.tenant = :tenant', { tenant })
      .andWhere('v.mailbox IN (:...mailboxes)', { mailboxes: [...new Set(mailboxes)] })
      .getMany();
    return new Map(rows.map((row) => [row.mailbox, JSON.parse(row.viewJson) as ExchangeView]));
  }

  async saveDevice(tx: Tx, tenant: string, device: DeviceDesiredState): Promise<void> {
    await tx.getRepository(DeviceDesiredStateEntity).upsert(
      {
        tenant,
        mdmDeviceId: device.mdmDeviceId,
        mailbox: device.mailbox,
        state: device.state,
        access: device.access,
        stateJson: JSON.stringify(device),
        updatedAt: new Date().toISOString(),
      },
      ['tenant', 'mdmDeviceId'],
    );
  }

  /** A mailbox's view, locked until the transaction ends (PostgreSQL) so concurrent consumers do not lose updates. */
  async view(tx: Tx, tenant: string, mailbox: string): Promise<ExchangeView> {
    const row = await tx
      .getRepository(ExchangeViewEntity)
      .findOne({ where: { tenant, mailbox }, ...lockForUpdate(tx) });
    return row ? (JSON.parse(row.viewJson) as ExchangeView) : emptyView(tenant, mailbox);
  }

  async viewsOfTenant(tx: Tx, tenant: string): Promise<ExchangeView[]> {
    const rows = await tx
      .getRepository(ExchangeViewEntity)
      .find({ where: { tenant }, order: { mailbox: 'ASC' }, ...lockForUpdate(tx) });
    return rows.map((row) => JSON.parse(row.viewJson) as ExchangeView);
  }

  async saveView(tx: Tx, tenant: string, view: ExchangeView): Promise<void> {
    await tx.getRepository(ExchangeViewEntity).upsert(
      {
        tenant,
        mailbox: view.mailbox,
        viewJson: JSON.stringify(view),
        updatedAt: new Date().toISOString(),
      },
      ['tenant', 'mailbox'],
    );
  }

  async recordEvent(
    tx: Tx,
    tenant: string,
    mdmDeviceId: string,
    event: ComplianceEventRecord,
  ): Promise<void> {
    await tx.getRepository(ComplianceEventEntity).insert({
      tenant,
      mdmDeviceId,
      eventSource: event.eventSource,
      eventId: event.eventId,
      state: event.state,
      sequence: event.sequence === undefined ? null : String(event.sequence),
      observedAt: event.observedAt,
      outcome: event.outcome,
      receivedAt: event.receivedAt,
    });
  }

  async eventsOfDevice(
    tx: Tx,
    tenant: string,
    mdmDeviceId: string,
    limit = 100,
  ): Promise<ComplianceEventRecord[]> {
    const rows = await tx
      .getRepository(ComplianceEventEntity)
      .find({ where: { tenant, mdmDeviceId }, order: { id: 'DESC' }, take: limit });
    return rows.map((row) => ({
      eventSource: row.eventSource,
      eventId: row.eventId,
      state: row.state,
      ...(row.sequence !== null && { sequence: Number(row.sequence) }),
      observedAt: row.observedAt,
      outcome: row.outcome as 'applied' | 'stale',
      receivedAt: row.receivedAt,
    }));
  }

  async recordCommand(tx: Tx, tenant: string, command: CommandRecord): Promise<void> {
    await tx.getRepository(CommandLogEntity).insert({
      commandId: command.commandId,
      tenant,
      mailbox: command.mailbox,
      mdmDeviceId: command.mdmDeviceId ?? null,
      deviceId: command.deviceId ?? null,
      action: JSON.stringify(command.action),
      reason: command.reason,
      causeEventId: command.causeEventId ?? null,
      createdAt: command.createdAt,
      outcome: null,
      completedAt: null,
      error: null,
      detail: null,
      wipeJson: null,
    });
  }

  async findCommand(tx: Tx, tenant: string, commandId: string): Promise<CommandRecord | undefined> {
    const row = await tx.getRepository(CommandLogEntity).findOneBy({ tenant, commandId });
    return row ? toCommand(row) : undefined;
  }

  async completeCommand(
    tx: Tx,
    tenant: string,
    commandId: string,
    result: Pick<ExchangeResultV1, 'outcome' | 'completedAt' | 'error' | 'detail' | 'wipe'>,
  ): Promise<void> {
    await tx.getRepository(CommandLogEntity).update(
      { tenant, commandId },
      {
        outcome: result.outcome,
        completedAt: result.completedAt,
        error: result.error ? JSON.stringify(result.error) : null,
        detail: result.detail ?? null,
        wipeJson: result.wipe ? JSON.stringify(result.wipe) : null,
      },
    );
  }

  async commandsOfDevice(tx: Tx, tenant: string, mdmDeviceId: string, limit = 100): Promise<CommandRecord[]> {
    const rows = await tx
      .getRepository(CommandLogEntity)
      .find({ where: { tenant, mdmDeviceId }, order: { createdAt: 'DESC' }, take: limit });
    return rows.map(toCommand);
  }

  /**
   * The commands sent to a command's mailbox after it (same or later creation time, itself excluded;
   * one transaction's commands share a time and never two for the same key).
   */
  async commandsOfMailboxSince(tx: Tx, tenant: string, command: CommandRecord): Promise<CommandRecord[]> {
    const rows = await tx.getRepository(CommandLogEntity).find({
      where: { tenant, mailbox: command.mailbox, createdAt: MoreThanOrEqual(command.createdAt) },
      order: { createdAt: 'ASC' },
    });
    return rows.filter((row) => row.commandId !== command.commandId).map(toCommand);
  }

  async commandsOfTenant(tx: Tx, tenant: string): Promise<CommandRecord[]> {
    const rows = await tx
      .getRepository(CommandLogEntity)
      .find({ where: { tenant }, order: { createdAt: 'ASC' } });
    return rows.map(toCommand);
  }
}

/** A stored row read by the bulk path: the domain value and the JSON it was read from (to skip unchanged writes). */
export interface Stored<T> {
  value: T;
  json: string;
}

/**
 * The bulk path of MDM verdicts (a batch of events in one transaction): raw parameterised SQL, a
 * few statements per batch whatever its size, no entity hydration. Rows are locked (PostgreSQL) in
 * one stable order, views then devices, each by key, so concurrent batches never deadlock.
 */
export class BulkTranslatorRepository {
  private forUpdate(tx: Tx): string {
    return isPostgres(tx) && tx.queryRunner?.isTransactionActive === true ? ' FOR UPDATE' : '';
  }

  /** The tenant's current rules (raw SQL: once per batch and tenant). */
  async currentRules(tx: Tx, tenant: string): Promise<VersionedRules> {
    const [row] = await tx.query<
      { version: number | string; rules: string; created_at: string; created_by: string }[]
    >(
      `SELECT version, rules, created_at, created_by FROM translator_rules WHERE tenant = ${param(tx, 1)} ORDER BY version DESC LIMIT 1`,
      [tenant],
    );
    if (!row) return { tenant, version: 0, rules: defaultRules() };
    return {
      tenant,
      version: Number(row.version),
      rules: TranslatorRules.parse(JSON.parse(row.rules)),
      createdAt: row.created_at,
      createdBy: row.created_by,
    };
  }

  async viewsForUpdate(
    tx: Tx,
    tenant: string,
    mailboxes: string[],
  ): Promise<Map<string, Stored<ExchangeView>>> {
    const keys = [...new Set(mailboxes)].sort();
    const [where, params] = keyIn(tx, 'mailbox', keys);
    const rows = await tx.query<{ mailbox: string; view_json: string }[]>(
      `SELECT mailbox, view_json FROM exchange_view WHERE tenant = ${param(tx, 1)} AND ${where} ORDER BY mailbox${this.forUpdate(tx)}`,
      [tenant, ...params],
    );
    return new Map(
      rows.map((r) => [r.mailbox, { value: JSON.parse(r.view_json) as ExchangeView, json: r.view_json }]),
    );
  }

  async devicesForUpdate(
    tx: Tx,
    tenant: string,
    mdmDeviceIds: string[],
  ): Promise<Map<string, Stored<DeviceDesiredState>>> {
    const keys = [...new Set(mdmDeviceIds)].sort();
    const [where, params] = keyIn(tx, 'mdm_device_id', keys);
    const rows = await tx.query<{ mdm_device_id: string; state_json: string }[]>(
      `SELECT mdm_device_id, state_json FROM device_desired_state WHERE tenant = ${param(tx, 1)} AND ${where} ORDER BY mdm_device_id${this.forUpdate(tx)}`,
      [tenant, ...params],
    );
    return new Map(
      rows.map((r) => [
        r.mdm_device_id,
        { value: JSON.parse(r.state_json) as DeviceDesiredState, json: r.state_json },
      ]),
    );
  }

  async saveDevices(
    tx: Tx,
    rows: { tenant: string; device: DeviceDesiredState; json: string }[],
  ): Promise<void> {
    const updatedAt = new Date().toISOString();
    await bulkInsert(
      tx,
      'device_desired_state',
      texts('tenant', 'mdm_device_id', 'mailbox', 'state', 'access', 'state_json', 'updated_at'),
      rows.map(({ tenant, device, json }) => [
        tenant,
        device.mdmDeviceId,
        device.mailbox,
        device.state,
        device.access,
        json,
        updatedAt,
      ]),
      'ON CONFLICT (tenant, mdm_device_id) DO UPDATE SET mailbox = excluded.mailbox, state = excluded.state, ' +
        'access = excluded.access, state_json = excluded.state_json, updated_at = excluded.updated_at',
    );
  }

  async saveViews(tx: Tx, rows: { tenant: string; view: ExchangeView; json: string }[]): Promise<void> {
    const updatedAt = new Date().toISOString();
    await bulkInsert(
      tx,
      'exchange_view',
      texts('tenant', 'mailbox', 'view_json', 'updated_at'),
      rows.map(({ tenant, view, json }) => [tenant, view.mailbox, json, updatedAt]),
      'ON CONFLICT (tenant, mailbox) DO UPDATE SET view_json = excluded.view_json, updated_at = excluded.updated_at',
    );
  }

  /** The devices' event history, in the order given (ids increase in it). */
  async recordEvents(
    tx: Tx,
    rows: { tenant: string; mdmDeviceId: string; event: ComplianceEventRecord }[],
  ): Promise<void> {
    await bulkInsert(
      tx,
      'compliance_event',
      texts(
        'tenant',
        'mdm_device_id',
        'event_source',
        'event_id',
        'state',
        'sequence',
        'observed_at',
        'outcome',
        'received_at',
      ),
      rows.map(({ tenant, mdmDeviceId, event }) => [
        tenant,
        mdmDeviceId,
        event.eventSource,
        event.eventId,
        event.state,
        event.sequence === undefined ? null : String(event.sequence),
        event.observedAt,
        event.outcome,
        event.receivedAt,
      ]),
    );
  }

  async recordCommands(tx: Tx, rows: { tenant: string; command: CommandRecord }[]): Promise<void> {
    await bulkInsert(
      tx,
      'translator_command',
      texts(
        'command_id',
        'tenant',
        'mailbox',
        'mdm_device_id',
        'device_id',
        'action',
        'reason',
        'cause_event_id',
        'created_at',
      ),
      rows.map(({ tenant, command }) => [
        command.commandId,
        tenant,
        command.mailbox,
        command.mdmDeviceId ?? null,
        command.deviceId ?? null,
        JSON.stringify(command.action),
        command.reason,
        command.causeEventId ?? null,
        command.createdAt,
      ]),
    );
  }
}

function texts(...names: string[]): BulkColumn[] {
  return names.map((name) => ({ name, type: 'text' }));
}

/** `column` is one of the keys, as one parameter after the tenant ($1): one statement text whatever their count. */
function keyIn(tx: Tx, column: string, keys: string[]): [string, unknown[]] {
  const [sql, param] = oneOf(tx, column, keys, 2);
  return [sql, [param]];
}

function param(tx: Tx, n: number): string {
  return isPostgres(tx) ? `$${n}` : '?';
}

/**
 * Row locks where the database has them. Inside a transaction, PostgreSQL consumers of different
 * partitions (MDM events keyed by device, inventory and results keyed by mailbox) serialise on the
 * mailbox view and the device; SQLite runs one transaction at a time anyway. Outside a transaction
 * (reads for the API) no lock is taken.
 */
function lockForUpdate(tx: Tx): { lock?: { mode: 'pessimistic_write' } } {
  return tx.connection.options.type === 'postgres' && tx.queryRunner?.isTransactionActive === true
    ? { lock: { mode: 'pessimistic_write' } }
    : {};
}

function toCommand(row: CommandLogEntity): CommandRecord {
  return {
    commandId: row.commandId,
    mailbox: row.mailbox,
    ...(row.mdmDeviceId !== null && { mdmDeviceId: row.mdmDeviceId }),
    ...(row.deviceId !== null && { deviceId: row.deviceId }),
    action: JSON.parse(row.action) as ExchangeActionV1,
    reason: row.reason,
    ...(row.causeEventId !== null && { causeEventId: row.causeEventId }),
    createdAt: row.createdAt,
    ...(row.outcome !== null && { outcome: row.outcome }),
    ...(row.completedAt !== null && { completedAt: row.completedAt }),
    ...(row.error !== null && { error: JSON.parse(row.error) as CommandRecord['error'] }),
    ...(row.detail !== null && { detail: row.detail }),
    ...(row.wipeJson !== null && { wipe: JSON.parse(row.wipeJson) as CommandRecord['wipe'] }),
  };
}
