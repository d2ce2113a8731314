import type { AlertKind, ExchangeConfigDriftV1, ExchangeResultV1, ServiceHealthV1 } from '@easgate/contracts';
import { ANY_TENANT, type AlertCondition, type AlertIdentity } from './alert';
import { aadstsCodeOf, adviceForAadsts, isRoleMissing, ROLE_MISSING_ADVICE } from './entra-fixes';

/** What a rule concludes: a condition holds, one no longer holds, or every alert of a kind for a tenant cleared. */
export type RuleAction =
  | { readonly type: 'raise'; readonly condition: AlertCondition }
  | { readonly type: 'clear'; readonly identity: AlertIdentity }
  | { readonly type: 'clear-kind'; readonly kind: AlertKind; readonly tenant: string };

const DAY_MS = 86_400_000;

const raise = (condition: AlertCondition): RuleAction => ({ type: 'raise', condition });
const clear = (kind: AlertKind, tenant: string, labels: Record<string, string>): RuleAction => ({
  type: 'clear',
  identity: { kind, tenant, labels },
});

export interface Thresholds {
  /** Days before expiry at which the expiring alert fires, then rises (30/14/7/1). */
  readonly expiryDays: readonly [number, number, number, number];
  /** Throttling reported for this long without a pause is "sustained". */
  readonly throttlingSustainMs: number;
  readonly backlogMaxDepth: number;
  readonly backlogMaxAgeSeconds: number;
  /** Discovery is overdue after its interval times this factor. */
  readonly discoveryGraceFactor: number;
  /** A dead-letter alert resolves after no new dead letter for this long. */
  readonly deadLetterQuietMs: number;
  /** A configuration-change alert resolves after no further change of that object for this long. */
  readonly configChangeQuietMs: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  expiryDays: [30, 14, 7, 1],
  throttlingSustainMs: 10 * 60_000,
  backlogMaxDepth: 1000,
  backlogMaxAgeSeconds: 900,
  discoveryGraceFactor: 1.5,
  deadLetterQuietMs: 60 * 60_000,
  configChangeQuietMs: DAY_MS,
};

/** What the alerting service knows of a certificate (from the vault's lifecycle events). */
export interface TrackedCertificate {
  readonly certificateId: string;
  readonly tenant: string;
  readonly notAfter: string;
  readonly thumbprint?: string;
  readonly subject?: string;
}

function certificateName(cert: Pick<TrackedCertificate, 'certificateId' | 'subject' | 'thumbprint'>): string {
  return cert.subject ?? cert.thumbprint ?? cert.certificateId;
}

/** Expiring (severity rising at 30/14/7/1 days) or expired, from the certificate's notAfter. */
export function certificateExpiryRule(
  cert: TrackedCertificate,
  now: Date,
  thresholds: Thresholds,
): RuleAction[] {
  const labels = { certificateId: cert.certificateId };
  const msLeft = Date.parse(cert.notAfter) - now.getTime();
  const name = certificateName(cert);
  if (msLeft <= 0) {
    return [
      clear('certificate-expiring', cert.tenant, labels),
      raise({
        kind: 'certificate-expired',
        tenant: cert.tenant,
        labels,
        severity: 'critical',
        summary: `Certificate ${name} expired on ${cert.notAfter}`,
        description: `Exchange Online calls for tenant ${cert.tenant} fail until a valid certificate is uploaded to the Entra app and saved in the vault.`,
        runbook:
          'Create or import a new certificate (easgate cert create), upload its .cer to the Entra app, validate and save it.',
      }),
    ];
  }
  const daysLeft = msLeft / DAY_MS;
  const [first, second, third, last] = thresholds.expiryDays;
  if (daysLeft > first) {
    return [
      clear('certificate-expiring', cert.tenant, labels),
      clear('certificate-expired', cert.tenant, labels),
    ];
  }
  const severity = daysLeft <= third ? 'critical' : daysLeft <= second ? 'warning' : 'info';
  const stage = daysLeft <= last ? last : daysLeft <= third ? third : daysLeft <= second ? second : first;
  return [
    clear('certificate-expired', cert.tenant, labels),
    raise({
      kind: 'certificate-expiring',
      tenant: cert.tenant,
      labels,
      severity,
      summary: `Certificate ${name} expires within ${stage} day${stage === 1 ? '' : 's'} (${cert.notAfter})`,
      description: `The certificate used for app-only authentication to Exchange Online for tenant ${cert.tenant} expires on ${cert.notAfter}.`,
      runbook:
        'Rotate the certificate (staged, with overlap): create the next one, upload its public key to the Entra app, then activate it.',
    }),
  ];
}

export function certificateValidationFailedRule(
  cert: { certificateId: string; tenant: string; subject?: string; thumbprint?: string },
  reasons: readonly string[],
): RuleAction {
  return raise({
    kind: 'certificate-validation-failed',
    tenant: cert.tenant,
    labels: { certificateId: cert.certificateId },
    severity: 'critical',
    summary: `Certificate ${certificateName(cert)} failed validation`,
    description: reasons.length > 0 ? reasons.join('; ') : 'The vault reported a failed validation.',
    runbook:
      'Run `easgate cert validate` for the tenant and fix what it reports (key upload, consent, role, dates).',
  });
}

/** Every certificate alert of one certificate (rotated away, deleted). */
export function certificateGoneRule(cert: { certificateId: string; tenant: string }): RuleAction[] {
  const labels = { certificateId: cert.certificateId };
  return (['certificate-expiring', 'certificate-expired', 'certificate-validation-failed'] as const).map(
    (kind) => clear(kind, cert.tenant, labels),
  );
}

/** Entra auth failures (by AADSTS code) and missing Exchange roles; a success clears them. */
export function exchangeResultRule(result: ExchangeResultV1): RuleAction[] {
  if (result.outcome !== 'failed') {
    return [
      { type: 'clear-kind', kind: 'entra-auth-failed', tenant: result.tenant },
      { type: 'clear-kind', kind: 'exchange-role-missing', tenant: result.tenant },
    ];
  }
  const error = result.error;
  if (error === undefined) return [];
  const code = aadstsCodeOf(error.code, error.message);
  if (code !== undefined) {
    const advice = adviceForAadsts(code);
    return [
      raise({
        kind: 'entra-auth-failed',
        tenant: result.tenant,
        labels: { code: `AADSTS${code}` },
        severity: 'critical',
        summary: `Entra rejects app-only sign-in for tenant ${result.tenant}: AADSTS${code}`,
        description: `Cause: ${advice.cause}. Exchange commands for this tenant fail until it is fixed.`,
        runbook: advice.fix,
      }),
    ];
  }
  if (isRoleMissing(error.code, error.message)) {
    return [
      raise({
        kind: 'exchange-role-missing',
        tenant: result.tenant,
        labels: {},
        severity: 'critical',
        summary: `Exchange Online refuses the app's cmdlets for tenant ${result.tenant}: role missing`,
        description: `Cause: ${ROLE_MISSING_ADVICE.cause}. Last error: ${error.code}.`,
        runbook: ROLE_MISSING_ADVICE.fix,
      }),
    ];
  }
  return [];
}

/** The result's detail the executor gives a full wipe it sent as account-only (Outlook REST clients). */
const ACCOUNT_ONLY_FALLBACK = /^account-only wipe: full wipe unsupported/i;

/**
 * Wipes: a full wipe that became an account-only wipe raises `wipe-degraded` (warning: the company's
 * mail is gone, the device's own data stays); a wipe that failed for good raises `wipe-failed`
 * (critical: the device keeps the mail). A later wipe of the device that is applied clears the
 * failure; a cancelled wipe clears both.
 */
export function wipeResultRule(result: ExchangeResultV1): RuleAction[] {
  const action = result.action;
  if (action.kind !== 'wipe-device' && action.kind !== 'cancel-wipe') return [];
  const labels = { mailbox: (result.mailbox ?? '').toLowerCase(), deviceId: action.deviceId.toLowerCase() };
  const device = `device ${action.deviceId}${result.mailbox ? ` of ${result.mailbox}` : ''}`;
  if (action.kind === 'cancel-wipe')
    return result.outcome === 'failed'
      ? []
      : [clear('wipe-degraded', result.tenant, labels), clear('wipe-failed', result.tenant, labels)];
  if (result.outcome === 'failed') {
    const error = result.error;
    return [
      raise({
        kind: 'wipe-failed',
        tenant: result.tenant,
        labels,
        severity: 'critical',
        summary: `The ${action.accountOnly ? 'account-only' : 'full'} wipe of ${device} failed: it keeps the company's mail`,
        description: error
          ? `${error.code}: ${error.message.slice(0, 1500)}`
          : 'The executor reported the wipe as failed without an error.',
        runbook:
          'Fix the cause (the device partnership, the app role, scope), then wipe the device again (replay the dead letter of the command or run Clear-MobileDevice in Exchange).',
      }),
    ];
  }
  const degraded =
    result.wipe?.fullWipeUnsupported === true || ACCOUNT_ONLY_FALLBACK.test(result.detail ?? '');
  if (!degraded) return [clear('wipe-failed', result.tenant, labels)];
  return [
    clear('wipe-failed', result.tenant, labels),
    raise({
      kind: 'wipe-degraded',
      tenant: result.tenant,
      labels,
      severity: 'warning',
      summary: `The full wipe of ${device} was sent as an account-only wipe`,
      description: `${result.detail ?? 'account-only wipe: full wipe unsupported for this client'}. The company's mail and account are removed; the device's own data is not.`,
      runbook:
        'If the device must be erased completely (lost or stolen), erase it through the MDM or the platform (Intune, Apple/Google device management); Exchange cannot for this client.',
    }),
  ];
}

export type HealthSignal<S extends ServiceHealthV1['signal']> = Extract<ServiceHealthV1, { signal: S }>;

/** Throttling reported continuously since `since`: sustained once it lasts the threshold. */
export function throttlingRule(
  signal: HealthSignal<'throttling'>,
  since: string | undefined,
  now: Date,
  thresholds: Thresholds,
): RuleAction[] {
  const labels = { service: signal.service };
  if (!signal.active) return [clear('exchange-throttling', signal.tenant, labels)];
  const start = since ?? signal.observedAt;
  if (now.getTime() - Date.parse(start) < thresholds.throttlingSustainMs) return [];
  return [
    raise({
      kind: 'exchange-throttling',
      tenant: signal.tenant,
      labels,
      severity: 'warning',
      summary: `Exchange Online has been throttling ${signal.service} for tenant ${signal.tenant} since ${start}`,
      description: `${signal.throttledRequests} throttled requests in the last ${signal.windowSeconds}s${
        signal.retryAfterSeconds !== undefined ? `, Retry-After ${signal.retryAfterSeconds}s` : ''
      }. Device changes are delayed.`,
      runbook:
        'Check for a burst of compliance events or a discovery running too often; Exchange throttling budgets are per tenant.',
    }),
  ];
}

export function circuitRule(signal: HealthSignal<'circuit'>): RuleAction[] {
  const labels = { service: signal.service };
  switch (signal.state) {
    case 'open':
      return [
        raise({
          kind: 'circuit-open',
          tenant: signal.tenant,
          labels,
          severity: 'critical',
          summary: `${signal.service} stopped calling Exchange Online for tenant ${signal.tenant} (circuit open)`,
          description:
            signal.reason ?? 'Repeated failures opened the circuit; commands wait until it closes.',
          runbook:
            'Find the failing dependency in the service logs (auth, Exchange outage, network); the circuit retries by itself.',
        }),
      ];
    case 'closed':
      return [clear('circuit-open', signal.tenant, labels)];
    case 'half-open':
      return [];
  }
}

export function backlogRule(signal: HealthSignal<'backlog'>, thresholds: Thresholds): RuleAction[] {
  const tenant = signal.tenant ?? ANY_TENANT;
  const labels = { service: signal.service, queue: signal.queue };
  const tooDeep = signal.depth > thresholds.backlogMaxDepth;
  const tooOld = signal.oldestAgeSeconds > thresholds.backlogMaxAgeSeconds;
  if (!tooDeep && !tooOld) return [clear('backlog', tenant, labels)];
  return [
    raise({
      kind: 'backlog',
      tenant,
      labels,
      severity: signal.oldestAgeSeconds > 2 * thresholds.backlogMaxAgeSeconds ? 'critical' : 'warning',
      summary: `${signal.service} backlog ${signal.queue}: ${signal.depth} waiting, oldest ${Math.round(signal.oldestAgeSeconds)}s`,
      description: `Thresholds: ${thresholds.backlogMaxDepth} items, ${thresholds.backlogMaxAgeSeconds}s.`,
      runbook:
        'Check that the service is running and not throttled; scale consumers or look for a stuck partition.',
    }),
  ];
}

export interface DiscoverySchedule {
  readonly tenant: string;
  readonly service: string;
  readonly completedAt: string;
  readonly intervalSeconds: number;
}

export function discoveryRule(schedule: DiscoverySchedule, now: Date, thresholds: Thresholds): RuleAction[] {
  const labels = { service: schedule.service };
  const dueBy =
    Date.parse(schedule.completedAt) + schedule.intervalSeconds * 1000 * thresholds.discoveryGraceFactor;
  if (now.getTime() <= dueBy) return [clear('discovery-overdue', schedule.tenant, labels)];
  return [
    raise({
      kind: 'discovery-overdue',
      tenant: schedule.tenant,
      labels,
      severity: 'warning',
      summary: `Discovery for tenant ${schedule.tenant} has not completed since ${schedule.completedAt}`,
      description: `Expected every ${schedule.intervalSeconds}s; unknown devices are not quarantined and drift is not reported meanwhile.`,
      runbook: `Check ${schedule.service} logs for the tenant's discovery (auth, throttling, paging errors).`,
    }),
  ];
}

export interface DeadLetterActivity {
  readonly topic: string;
  readonly tenant: string;
  readonly count: number;
  readonly lastSeenAt: string;
  readonly lastCode?: string;
}

export function deadLetterRule(
  activity: DeadLetterActivity,
  now: Date,
  thresholds: Thresholds,
): RuleAction[] {
  const labels = { topic: activity.topic };
  if (now.getTime() - Date.parse(activity.lastSeenAt) >= thresholds.deadLetterQuietMs) {
    return [clear('dead-letters', activity.tenant, labels)];
  }
  return [
    raise({
      kind: 'dead-letters',
      tenant: activity.tenant,
      labels,
      severity: 'warning',
      summary: `Dead letters on ${activity.topic}`,
      description: `${activity.count} message(s) could not be handled${activity.lastCode ? `; last reason code ${activity.lastCode}` : ''}.`,
      runbook:
        'Inspect the dead letters (reason headers), fix the cause, then replay them to the original topic.',
    }),
  ];
}

export function deliveryFailingRule(
  subscription: { id: string; tenant: string; destination: string },
  failing: boolean,
  lastError: string,
): RuleAction[] {
  const labels = { subscriptionId: subscription.id, destination: subscription.destination };
  if (!failing) return [clear('alert-delivery-failing', subscription.tenant, labels)];
  return [
    raise({
      kind: 'alert-delivery-failing',
      tenant: subscription.tenant,
      labels,
      severity: 'warning',
      summary: `Alerts cannot be delivered to ${subscription.destination} subscription ${subscription.id}`,
      description: `Last error: ${lastError.slice(0, 500)}`,
      runbook: 'Check the destination URL/SMTP server and credentials; deliveries are retried with back-off.',
    }),
  ];
}

/** One ActiveSync configuration object's changes, as the alerting service remembers them. */
export interface ConfigChangeActivity {
  readonly tenant: string;
  readonly section: ExchangeConfigDriftV1['section'];
  readonly identity: string;
  /** The latest change. */
  readonly change: ExchangeConfigDriftV1['change'];
  readonly before?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
  /** Changes seen since the alert started. */
  readonly count: number;
  readonly lastSeenAt: string;
}

const SECTION_NAMES: Record<ConfigChangeActivity['section'], string> = {
  'organization-settings': 'ActiveSync organization settings',
  'device-access-rules': 'ActiveSync device access rule',
  'mailbox-policies': 'Mobile device mailbox policy',
};

const REVERT_CMDLETS: Record<ConfigChangeActivity['section'], string> = {
  'organization-settings': 'Set-ActiveSyncOrganizationSettings',
  'device-access-rules':
    'Set-ActiveSyncDeviceAccessRule, New-ActiveSyncDeviceAccessRule or Remove-ActiveSyncDeviceAccessRule',
  'mailbox-policies': 'Set-MobileDeviceMailboxPolicy or New-MobileDeviceMailboxPolicy',
};

/** A setting's value by name, matched case-insensitively (Exchange names are PascalCase). */
function settingOf(settings: Record<string, unknown> | undefined, name: string): unknown {
  if (settings === undefined) return undefined;
  const key = Object.keys(settings).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : settings[key];
}

const isLevel = (value: unknown, ...levels: string[]) =>
  typeof value === 'string' && levels.some((l) => l.toLowerCase() === value.toLowerCase());

/**
 * Whether the change lets devices in that were kept out before: the organization's default access
 * level turned to Allow, an Allow rule added or changed, a Block or Quarantine rule removed.
 */
export function opensDeviceAccess(
  change: Pick<ConfigChangeActivity, 'section' | 'change' | 'before' | 'after'>,
): boolean {
  if (change.section === 'organization-settings')
    return isLevel(settingOf(change.after, 'DefaultAccessLevel'), 'Allow');
  if (change.section !== 'device-access-rules') return false;
  if (change.change === 'removed')
    return isLevel(settingOf(change.before, 'AccessLevel'), 'Block', 'Quarantine');
  return isLevel(settingOf(change.after, 'AccessLevel'), 'Allow');
}

const shown = (value: unknown) => {
  const text = value === undefined ? 'unset' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

function describeSettings(change: ConfigChangeActivity): string {
  if (change.change === 'changed') {
    const names = Object.keys({ ...change.before, ...change.after });
    return names
      .map((n) => `${n}: ${shown(settingOf(change.before, n))} -> ${shown(settingOf(change.after, n))}`)
      .join('; ');
  }
  const settings = change.change === 'added' ? change.after : change.before;
  const level = settingOf(
    settings,
    change.section === 'organization-settings' ? 'DefaultAccessLevel' : 'AccessLevel',
  );
  const query = settingOf(settings, 'QueryString');
  return [
    level !== undefined && `access level ${shown(level)}`,
    query !== undefined && `matching ${shown(query)}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * Exchange's ActiveSync configuration changed since the last sync (by an admin, a script or an
 * easgate command): info, or a warning when the change opens device access. It resolves once the
 * object has stayed unchanged for `configChangeQuietMs`.
 */
export function configChangeRule(
  change: ConfigChangeActivity,
  now: Date,
  thresholds: Thresholds,
): RuleAction[] {
  const labels = { section: change.section, identity: change.identity };
  if (now.getTime() - Date.parse(change.lastSeenAt) >= thresholds.configChangeQuietMs) {
    return [clear('exchange-config-changed', change.tenant, labels)];
  }
  const what =
    change.section === 'organization-settings'
      ? SECTION_NAMES[change.section]
      : `${SECTION_NAMES[change.section]} '${change.identity}'`;
  const verb = change.section === 'organization-settings' ? 'were changed' : `was ${change.change}`;
  const opens = opensDeviceAccess(change);
  const details = describeSettings(change);
  return [
    raise({
      kind: 'exchange-config-changed',
      tenant: change.tenant,
      labels,
      severity: opens ? 'warning' : 'info',
      summary: `${what} ${verb} in Exchange Online${opens ? ': more devices may now connect' : ''}`,
      description: `${details === '' ? 'Settings changed.' : `${details}.`}${change.count > 1 ? ` ${change.count} changes since this alert started.` : ''}`,
      runbook: `Confirm the change was intended (Exchange admin center, Mobile, Device access; changes made through easgate commands show here too). If it was not, revert it with ${REVERT_CMDLETS[change.section]}.`,
    }),
  ];
}
