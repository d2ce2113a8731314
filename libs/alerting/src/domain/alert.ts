import { createHash } from 'node:crypto';
import type { AlertKind, AlertSeverity, OpsAlertV1 } from '@easgate/contracts';

export const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

export function atLeast(severity: AlertSeverity, minimum: AlertSeverity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[minimum];
}

/** Tenant of alerts that concern the whole deployment rather than one tenant. */
export const ANY_TENANT = '*';

/** What identifies one condition: the same kind, tenant and labels are the same alert. */
export interface AlertIdentity {
  readonly kind: AlertKind;
  readonly tenant: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A condition a rule found true now. */
export interface AlertCondition extends AlertIdentity {
  readonly severity: AlertSeverity;
  readonly summary: string;
  readonly description: string;
  readonly runbook: string;
}

/** The stable fingerprint: kind, tenant and labels in a canonical order, hashed. */
export function fingerprintOf(identity: AlertIdentity): string {
  const canonical = JSON.stringify([
    identity.kind,
    identity.tenant.toLowerCase(),
    Object.entries(identity.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

export interface Alert extends AlertCondition {
  readonly fingerprint: string;
  readonly status: 'firing' | 'resolved';
  readonly startsAt: string;
  readonly endsAt: string | null;
  readonly lastSeenAt: string;
  /** When the condition was last reported clear while still firing (resolution is held back). */
  readonly clearingSince: string | null;
  readonly occurrences: number;
  /** Increases with each published state change. */
  readonly revision: number;
  /** Re-fires shortly after a resolve: each one lengthens the hold before the next resolve. */
  readonly flaps: number;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly silencedUntil: string | null;
}

export interface DampingPolicy {
  /** How long a condition must stay clear before its alert resolves. */
  readonly resolveHoldMs: number;
  /** A re-fire within this long after a resolve counts as a flap. */
  readonly flapWindowMs: number;
  /** Upper bound of the resolve hold, however much an alert flaps. */
  readonly maxResolveHoldMs: number;
}

export const DEFAULT_DAMPING: DampingPolicy = {
  resolveHoldMs: 5 * 60_000,
  flapWindowMs: 30 * 60_000,
  maxResolveHoldMs: 60 * 60_000,
};

/** A published change: a new firing, a severity change while firing, or a resolve. */
export type Transition = 'fired' | 'escalated' | 'deescalated' | 'resolved';

export interface Evaluation {
  readonly alert: Alert;
  /** undefined: stored quietly (a repeat, a clear being held back), nothing published. */
  readonly transition?: Transition;
}

const ms = (iso: string) => Date.parse(iso);

export function resolveHoldOf(alert: Pick<Alert, 'flaps'>, policy: DampingPolicy): number {
  return Math.min(
    policy.resolveHoldMs * 2 ** alert.flaps,
    Math.max(policy.maxResolveHoldMs, policy.resolveHoldMs),
  );
}

/**
 * The alert state machine. Pure: the caller passes the stored alert (if any), the signal and
 * the time, and stores what comes back.
 */
export const AlertLifecycle = {
  /** The condition holds now. */
  raise(current: Alert | undefined, condition: AlertCondition, now: Date, policy: DampingPolicy): Evaluation {
    const at = now.toISOString();
    const fingerprint = fingerprintOf(condition);
    if (current === undefined || current.status === 'resolved') {
      const flapped = current?.endsAt != null && now.getTime() - ms(current.endsAt) < policy.flapWindowMs;
      return {
        transition: 'fired',
        alert: {
          ...condition,
          fingerprint,
          status: 'firing',
          startsAt: at,
          endsAt: null,
          lastSeenAt: at,
          clearingSince: null,
          occurrences: 1,
          revision: (current?.revision ?? 0) + 1,
          flaps: flapped ? current.flaps + 1 : 0,
          acknowledgedAt: null,
          acknowledgedBy: null,
          silencedUntil: current?.silencedUntil ?? null,
        },
      };
    }
    const severityChanged = condition.severity !== current.severity;
    const alert: Alert = {
      ...current,
      ...condition,
      fingerprint,
      lastSeenAt: at,
      clearingSince: null,
      occurrences: current.occurrences + 1,
      revision: severityChanged ? current.revision + 1 : current.revision,
    };
    if (!severityChanged) return { alert };
    const rising = SEVERITY_RANK[condition.severity] > SEVERITY_RANK[current.severity];
    // A rise is news even to someone who acknowledged the lower severity.
    return {
      transition: rising ? 'escalated' : 'deescalated',
      alert: rising ? { ...alert, acknowledgedAt: null, acknowledgedBy: null } : alert,
    };
  },

  /** The condition no longer holds: resolve once it has stayed clear for the hold. */
  clear(current: Alert | undefined, now: Date, policy: DampingPolicy): Evaluation | undefined {
    if (current === undefined || current.status === 'resolved') return undefined;
    const clearing =
      current.clearingSince === null ? { ...current, clearingSince: now.toISOString() } : current;
    return AlertLifecycle.tick(clearing, now, policy) ?? { alert: clearing };
  },

  /** Time passed: a clear held back long enough resolves. */
  tick(current: Alert, now: Date, policy: DampingPolicy): Evaluation | undefined {
    if (current.status !== 'firing' || current.clearingSince === null) return undefined;
    if (now.getTime() - ms(current.clearingSince) < resolveHoldOf(current, policy)) return undefined;
    return {
      transition: 'resolved',
      alert: {
        ...current,
        status: 'resolved',
        endsAt: now.toISOString(),
        clearingSince: null,
        revision: current.revision + 1,
      },
    };
  },

  acknowledge(current: Alert, by: string, now: Date): Alert {
    return { ...current, acknowledgedAt: now.toISOString(), acknowledgedBy: by };
  },

  silence(current: Alert, until: Date): Alert {
    return { ...current, silencedUntil: until.toISOString() };
  },

  isSilenced(alert: Alert, now: Date): boolean {
    return alert.silencedUntil !== null && ms(alert.silencedUntil) > now.getTime();
  },
};

/** The event data published for an alert's current state. */
export function toOpsAlert(alert: Alert): OpsAlertV1 {
  return {
    fingerprint: alert.fingerprint,
    status: alert.status,
    kind: alert.kind,
    severity: alert.severity,
    tenant: alert.tenant,
    labels: { ...alert.labels },
    summary: alert.summary,
    description: alert.description,
    runbook: alert.runbook,
    startsAt: alert.startsAt,
    ...(alert.endsAt !== null && { endsAt: alert.endsAt }),
    occurrences: alert.occurrences,
    revision: alert.revision,
  };
}
