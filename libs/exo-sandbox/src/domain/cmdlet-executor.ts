import {
  type BoundCmdlet,
  type BoundValue,
  type OpathNode,
  applyMultiValuedUpdate,
  effectiveResultSize,
  evaluateOpathFilter,
  isMultiValuedUpdate,
  parseOpathFilter,
} from '@easgate/cmdlet-schemas';
import { randomUUID } from 'node:crypto';
import { type AccessLevel, type RuleCharacteristic, accessRuleName } from './access-state';
import type { DeviceRecord, ExchangeStore, MailboxRecord } from './exchange-store';
import { newPolicy } from './seed';
import {
  accessRuleView,
  casMailboxView,
  mailboxPolicyView,
  mailboxView,
  mobileDeviceStatisticsView,
  mobileDeviceView,
  organizationConfigView,
  organizationSettingsView,
} from './views';

type View = Record<string, unknown>;

/** A cmdlet failure as the admin API reports it (reference §3.5). */
export interface CmdletFailure {
  status: number;
  code: string;
  message: string;
  /** `<ErrorId>|<ExceptionType>|<text>` */
  detail: string;
  exceptionType: string;
  text: string;
}

export interface PageRequest {
  /** Resume after this seq (0 = from the start). */
  afterSeq: number;
  /** Objects already returned by earlier pages (for ResultSize). */
  returned: number;
  /** `Prefer: odata.maxpagesize`; undefined = everything up to ResultSize in one response. */
  pageSize: number | undefined;
}

export type CmdletOutcome =
  | { ok: true; values: View[]; warnings: string[]; next: { afterSeq: number; returned: number } | undefined }
  | { ok: false; failure: CmdletFailure };

export interface ExecutionContext {
  nowMs: number;
  /** Who ran it (shown as the wipe requestor). */
  appId: string;
  organizationDisplayName: string;
}

export const MoreResultsWarning =
  'There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.';
const ServerFqdn = 'SA1PR01A001DC01.SANDBOX01A001.prod.outlook.com';
const NotFoundType = 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException';
const InvalidOperationType = 'Microsoft.Exchange.Configuration.Tasks.TaskInvalidOperationException';
const ExistsType = 'Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException';

export function notFound(identity: string): CmdletFailure {
  const text = `The operation couldn't be performed because object '${identity}' couldn't be found on '${ServerFqdn}'.`;
  return {
    status: 404,
    code: 'NotFound',
    message: 'Error executing cmdlet',
    exceptionType: NotFoundType,
    text,
    detail: `Ex6F9304|${NotFoundType}|${text}`,
  };
}

function taskError(text: string, exceptionType = InvalidOperationType, errorId = ''): CmdletFailure {
  return {
    status: 400,
    code: 'BadRequest',
    message: 'Error executing cmdlet',
    exceptionType,
    text,
    detail: `${errorId}|${exceptionType}|${text}`,
  };
}

class Failed extends Error {
  constructor(readonly failure: CmdletFailure) {
    super(failure.text);
  }
}

/** Runs bound cmdlets against the store. Read cmdlets page by seq cursor; nothing scans for a page twice. */
export class CmdletExecutor {
  private readonly filterCache = new Map<string, OpathNode>();

  constructor(private readonly store: ExchangeStore) {}

  execute(bound: BoundCmdlet, page: PageRequest, ctx: ExecutionContext): CmdletOutcome {
    try {
      return this.run(bound, page, ctx);
    } catch (e) {
      if (e instanceof Failed) return { ok: false, failure: e.failure };
      throw e;
    }
  }

  private run(bound: BoundCmdlet, page: PageRequest, ctx: ExecutionContext): CmdletOutcome {
    const p = bound.parameters;
    const s = this.store;
    const single = (values: View[], warnings: string[] = []): CmdletOutcome => ({
      ok: true,
      values,
      warnings,
      next: undefined,
    });
    switch (bound.name) {
      case 'Get-Mailbox':
      case 'Get-CASMailbox': {
        const project = bound.name === 'Get-Mailbox' ? mailboxView : casMailboxView;
        if (typeof p.Identity === 'string') return single([project(s, this.mailbox(p.Identity))]);
        const filter = this.filter(p.Filter);
        const anr = typeof p.Anr === 'string' ? p.Anr.toLowerCase() : undefined;
        const types = Array.isArray(p.RecipientTypeDetails)
          ? new Set(p.RecipientTypeDetails as string[])
          : undefined;
        return this.page(bound, page, s.mailboxSeqLimit, (seq) => {
          const m = s.mailboxBySeq(seq);
          if (!m) return undefined;
          if (types && !types.has(m.recipientTypeDetails)) return undefined;
          if (anr && !anrMatches(m, anr)) return undefined;
          const view = project(s, m);
          return !filter || evaluateOpathFilter(filter, view, { readProperty: readMailboxProperty(m) })
            ? view
            : undefined;
        });
      }
      case 'Set-CASMailbox': {
        const m = this.mailbox(requireString(p.Identity));
        this.applyCas(m, p);
        m.whenChanged = new Date(ctx.nowMs);
        return single([]);
      }
      case 'Get-MobileDevice': {
        if (typeof p.Identity === 'string')
          return single([mobileDeviceView(s, this.device(p.Identity), ctx.nowMs)]);
        const filter = this.filter(p.Filter);
        const clientFilter = clientTypeFilter(p);
        const view = (d: DeviceRecord | undefined) => {
          if (!d || (clientFilter && !clientFilter.has(d.clientType))) return undefined;
          const v = mobileDeviceView(s, d, ctx.nowMs);
          return !filter || evaluateOpathFilter(filter, v) ? v : undefined;
        };
        if (typeof p.Mailbox === 'string') {
          const seqs = this.mailbox(p.Mailbox).devices;
          return this.pageOver(bound, page, seqs, (seq) => view(s.deviceBySeq(seq)));
        }
        return this.page(bound, page, s.deviceSeqLimit, (seq) => view(s.deviceBySeq(seq)));
      }
      case 'Get-MobileDeviceStatistics': {
        const devices =
          typeof p.Identity === 'string'
            ? [this.device(p.Identity)]
            : this.devicesOf(requireString(p.Mailbox));
        const clientFilter = clientTypeFilter(p);
        return single(
          devices
            .filter((d) => !clientFilter || clientFilter.has(d.clientType))
            .map((d) => mobileDeviceStatisticsView(s, d, ctx.nowMs)),
        );
      }
      case 'Clear-MobileDevice': {
        const d = this.device(requireString(p.Identity));
        if (p.WhatIf === true) return single([]);
        if (p.Cancel === true) {
          if (!d.wipe || d.wipe.ackTime)
            throw new Failed(
              taskError(`There is no pending wipe request for device '${s.deviceIdentity(d)}'.`),
            );
          d.wipe = undefined;
        } else {
          const accountOnly = p.AccountOnly === true;
          // Outlook (REST) devices only support the account-only wipe (reference §4.4).
          if (d.clientType === 'Outlook' && !accountOnly) {
            throw new Failed(
              taskError(
                `The device '${s.deviceIdentity(d)}' supports only an account-only wipe. Use the AccountOnly parameter.`,
              ),
            );
          }
          d.wipe = {
            requestTime: new Date(ctx.nowMs),
            sentTime: undefined,
            ackTime: undefined,
            accountOnly,
            requestor: ctx.appId,
            notificationEmailAddresses: listOf(p.NotificationEmailAddresses),
          };
        }
        d.whenChanged = new Date(ctx.nowMs);
        return single([]);
      }
      case 'Remove-MobileDevice': {
        const d = this.device(requireString(p.Identity));
        if (p.WhatIf !== true) s.removeDevice(d);
        return single([]);
      }
      case 'Get-MobileDeviceMailboxPolicy': {
        if (typeof p.Identity === 'string') return single([mailboxPolicyView(this.policy(p.Identity))]);
        return single(s.listPolicies().map(mailboxPolicyView));
      }
      case 'New-MobileDeviceMailboxPolicy': {
        const name = requireString(p.Name);
        if (s.findPolicy(name))
          throw new Failed(taskError(`The object '${name}' already exists.`, ExistsType));
        const policy = newPolicy(randomUUID(), name, false, new Date(ctx.nowMs));
        applySettings(policy.settings, p, ['Name', 'IsDefault']);
        s.addPolicy(policy);
        if (p.IsDefault === true) s.makeDefaultPolicy(policy);
        return single([mailboxPolicyView(policy)]);
      }
      case 'Set-MobileDeviceMailboxPolicy': {
        const policy = this.policy(requireString(p.Identity));
        if (typeof p.Name === 'string' && p.Name.toLowerCase() !== policy.name.toLowerCase()) {
          if (s.findPolicy(p.Name))
            throw new Failed(taskError(`The object '${p.Name}' already exists.`, ExistsType));
          policy.name = p.Name;
        }
        applySettings(policy.settings, p, ['Identity', 'Name', 'IsDefault']);
        if (p.IsDefault === true) s.makeDefaultPolicy(policy);
        policy.whenChanged = new Date(ctx.nowMs);
        return single([]);
      }
      case 'Remove-MobileDeviceMailboxPolicy': {
        const policy = this.policy(requireString(p.Identity));
        const assigned = s.policyAssignmentCount(policy);
        if (assigned > 0) {
          throw new Failed(
            taskError(
              `Mobile device mailbox policy '${policy.name}' can't be removed because it's assigned to ${assigned} mailbox(es).`,
            ),
          );
        }
        // Removing the default policy is refused here (Exchange's behaviour is UNCONFIRMED).
        if (policy.isDefault)
          throw new Failed(
            taskError(`The default mobile device mailbox policy '${policy.name}' can't be removed.`),
          );
        if (p.WhatIf !== true) s.removePolicy(policy);
        return single([]);
      }
      case 'Get-ActiveSyncOrganizationSettings':
        return single([organizationSettingsView(s)]);
      case 'Set-ActiveSyncOrganizationSettings': {
        const st = s.settings;
        if (typeof p.DefaultAccessLevel === 'string')
          st.defaultAccessLevel = p.DefaultAccessLevel as AccessLevel;
        if (p.AdminMailRecipients !== undefined && isMultiValuedUpdate(p.AdminMailRecipients)) {
          st.adminMailRecipients = applyMultiValuedUpdate(st.adminMailRecipients, p.AdminMailRecipients);
        }
        if (typeof p.UserMailInsert === 'string' || p.UserMailInsert === null)
          st.userMailInsert = p.UserMailInsert ?? '';
        if (typeof p.OtaNotificationMailInsert === 'string' || p.OtaNotificationMailInsert === null) {
          st.otaNotificationMailInsert = p.OtaNotificationMailInsert ?? '';
        }
        if (typeof p.AllowAccessForUnSupportedPlatform === 'boolean')
          st.allowAccessForUnSupportedPlatform = p.AllowAccessForUnSupportedPlatform;
        if (typeof p.EnableMobileMailboxPolicyWhenCAInplace === 'boolean') {
          st.enableMobileMailboxPolicyWhenCAInplace = p.EnableMobileMailboxPolicyWhenCAInplace;
        }
        if (typeof p.TenantAdminPreference === 'string') st.tenantAdminPreference = p.TenantAdminPreference;
        st.whenChanged = new Date(ctx.nowMs);
        return single([]);
      }
      case 'Get-ActiveSyncDeviceAccessRule': {
        if (typeof p.Identity === 'string') return single([accessRuleView(this.rule(p.Identity))]);
        return single(s.listRules().map(accessRuleView));
      }
      case 'New-ActiveSyncDeviceAccessRule': {
        const queryString = requireString(p.QueryString);
        const characteristic = requireString(p.Characteristic) as RuleCharacteristic;
        const name = accessRuleName(queryString, characteristic);
        if (s.rules.has(characteristic, queryString) || s.findRule(name)) {
          throw new Failed(
            taskError(
              `An ActiveSync device access rule with QueryString '${queryString}' and Characteristic '${characteristic}' already exists.`,
              ExistsType,
            ),
          );
        }
        const at = new Date(ctx.nowMs);
        const rule = {
          guid: randomUUID(),
          name,
          queryString,
          characteristic,
          accessLevel: requireString(p.AccessLevel) as AccessLevel,
          whenCreated: at,
          whenChanged: at,
        };
        s.addRule(rule);
        return single([accessRuleView(rule)]);
      }
      case 'Set-ActiveSyncDeviceAccessRule': {
        const rule = this.rule(requireString(p.Identity));
        if (typeof p.AccessLevel === 'string') rule.accessLevel = p.AccessLevel as AccessLevel;
        rule.whenChanged = new Date(ctx.nowMs);
        return single([]);
      }
      case 'Remove-ActiveSyncDeviceAccessRule': {
        const rule = this.rule(requireString(p.Identity));
        if (p.WhatIf !== true) s.removeRule(rule);
        return single([]);
      }
      case 'Get-OrganizationConfig':
        return single([organizationConfigView(s, ctx.organizationDisplayName)]);
    }
  }

  private applyCas(m: MailboxRecord, p: Readonly<Record<string, BoundValue>>): void {
    const s = this.store;
    // Resolve everything first so that a bad policy name changes nothing.
    let policy: { guid: string | undefined; defaulted: boolean } | undefined;
    if (p.ActiveSyncMailboxPolicy === null) policy = { guid: undefined, defaulted: true };
    else if (typeof p.ActiveSyncMailboxPolicy === 'string') {
      policy = { guid: this.policy(p.ActiveSyncMailboxPolicy).guid, defaulted: false };
    }
    if (typeof p.ActiveSyncEnabled === 'boolean') m.cas.activeSyncEnabled = p.ActiveSyncEnabled;
    const allowed = p.ActiveSyncAllowedDeviceIDs;
    if (allowed !== undefined && isMultiValuedUpdate(allowed)) {
      s.setPersonalList(m, 'allowed', applyMultiValuedUpdate(m.cas.allowedDeviceIds, allowed));
    }
    const blocked = p.ActiveSyncBlockedDeviceIDs;
    if (blocked !== undefined && isMultiValuedUpdate(blocked)) {
      s.setPersonalList(m, 'blocked', applyMultiValuedUpdate(m.cas.blockedDeviceIds, blocked));
    }
    if (policy) s.assignPolicy(m, policy.guid, policy.defaulted);
    const flags: [string, keyof MailboxRecord['cas']][] = [
      ['ActiveSyncDebugLogging', 'activeSyncDebugLogging'],
      ['ActiveSyncSuppressReadReceipt', 'activeSyncSuppressReadReceipt'],
      ['OWAEnabled', 'owaEnabled'],
      ['PopEnabled', 'popEnabled'],
      ['ImapEnabled', 'imapEnabled'],
      ['MAPIEnabled', 'mapiEnabled'],
      ['EwsEnabled', 'ewsEnabled'],
    ];
    for (const [param, field] of flags) {
      const v = p[param];
      if (typeof v === 'boolean') (m.cas as unknown as Record<string, unknown>)[field] = v;
    }
  }

  /** One page over seqs 1..limit-1 starting after the cursor. */
  private page(
    bound: BoundCmdlet,
    page: PageRequest,
    limit: number,
    view: (seq: number) => View | undefined,
  ): CmdletOutcome {
    return this.collect(bound, page, page.afterSeq + 1, limit, (i) => i, view);
  }

  /** One page over an explicit ascending seq list. */
  private pageOver(
    bound: BoundCmdlet,
    page: PageRequest,
    seqs: number[],
    view: (seq: number) => View | undefined,
  ): CmdletOutcome {
    const start = lowerBound(seqs, page.afterSeq + 1);
    return this.collect(bound, page, start, seqs.length, (i) => seqs[i], view);
  }

  private collect(
    bound: BoundCmdlet,
    page: PageRequest,
    startIndex: number,
    endIndex: number,
    seqAt: (i: number) => number,
    view: (seq: number) => View | undefined,
  ): CmdletOutcome {
    const resultSize = effectiveResultSize(bound);
    const remaining = resultSize - page.returned;
    const take = Math.min(remaining, page.pageSize ?? Number.POSITIVE_INFINITY);
    const values: View[] = [];
    let lastSeq = page.afterSeq;
    let i = startIndex;
    for (; i < endIndex && values.length < take; i++) {
      const v = view(seqAt(i));
      if (v) {
        values.push(v);
        lastSeq = seqAt(i);
      }
    }
    // Look ahead for one more match, so that a last full page carries no nextLink.
    let more = false;
    for (; i < endIndex; i++) {
      if (view(seqAt(i))) {
        more = true;
        break;
      }
    }
    const returned = page.returned + values.length;
    const warnings: string[] = [];
    if (more && returned >= resultSize) {
      warnings.push(MoreResultsWarning);
      more = false;
    }
    return { ok: true, values, warnings, next: more ? { afterSeq: lastSeq, returned } : undefined };
  }

  private filter(value: BoundValue | undefined): OpathNode | undefined {
    if (typeof value !== 'string') return undefined;
    let node = this.filterCache.get(value);
    if (!node) {
      const parsed = parseOpathFilter(value);
      if (!parsed.ok)
        throw new Failed(
          taskError(parsed.errors[0].message, 'Microsoft.Exchange.Management.Tasks.InvalidFilterException'),
        );
      node = parsed.value;
      if (this.filterCache.size > 256) this.filterCache.clear();
      this.filterCache.set(value, node);
    }
    return node;
  }

  private mailbox(identity: string): MailboxRecord {
    const m = this.store.findMailbox(identity);
    if (!m) throw new Failed(notFound(identity));
    return m;
  }

  private device(identity: string): DeviceRecord {
    const d = this.store.findDevice(identity);
    if (!d) throw new Failed(notFound(identity));
    return d;
  }

  private devicesOf(mailboxIdentity: string): DeviceRecord[] {
    return this.mailbox(mailboxIdentity).devices.map((seq) => this.store.deviceBySeq(seq)!);
  }

  private policy(identity: string) {
    const p = this.store.findPolicy(identity);
    if (!p) throw new Failed(notFound(identity));
    return p;
  }

  private rule(identity: string) {
    const r = this.store.findRule(identity);
    if (!r) throw new Failed(notFound(identity));
    return r;
  }
}

function requireString(v: BoundValue | undefined): string {
  // The binder enforces mandatory parameters; this guards the types.
  if (typeof v !== 'string') throw new Failed(taskError('A mandatory parameter is missing.'));
  return v;
}

function listOf(v: BoundValue | undefined): string[] {
  if (v === undefined || v === null) return [];
  if (isMultiValuedUpdate(v)) return applyMultiValuedUpdate([], v);
  return Array.isArray(v) ? [...(v as string[])] : [String(v)];
}

function applySettings(
  settings: Record<string, unknown>,
  p: Readonly<Record<string, BoundValue>>,
  skip: string[],
): void {
  const ignored = new Set([...skip, 'Identity', 'Confirm', 'WhatIf']);
  for (const [name, value] of Object.entries(p)) {
    if (ignored.has(name)) continue;
    settings[name] = isMultiValuedUpdate(value) ? applyMultiValuedUpdate([], value) : value;
  }
}

function anrMatches(m: MailboxRecord, anr: string): boolean {
  return [m.name, m.alias, m.displayName, m.userPrincipalName, m.primarySmtpAddress].some((v) =>
    v.toLowerCase().startsWith(anr),
  );
}

/** `-ActiveSync` / `-RestApi` / `-UniversalOutlook` narrow Get-MobileDevice by client type. */
function clientTypeFilter(p: Readonly<Record<string, BoundValue>>): Set<string> | undefined {
  const types = new Set<string>();
  if (p.ActiveSync === true) types.add('EAS');
  if (p.RestApi === true || p.UniversalOutlook === true) types.add('Outlook');
  if (p.OWAforDevices === true) types.add('MOWA');
  return types.size > 0 ? types : undefined;
}

/** Filter-only recipient properties (e.g. msExchMobileAllowedDeviceIds) mapped onto the record. */
function readMailboxProperty(m: MailboxRecord) {
  return (object: Readonly<Record<string, unknown>>, property: string): unknown => {
    const lower = property.toLowerCase();
    if (lower === 'msexchmobilealloweddeviceids') return m.cas.allowedDeviceIds;
    if (lower === 'msexchmobileblockeddeviceids') return m.cas.blockedDeviceIds;
    if (lower === 'hasactivesyncdevicepartnership') return m.devices.length > 0;
    const key = Object.keys(object).find((k) => k.toLowerCase() === lower);
    return key === undefined ? undefined : object[key];
  };
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
