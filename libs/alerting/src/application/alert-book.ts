import { createCloudEvent, OpsEventTypes, Topics } from '@easgate/contracts';
import type { Outbox } from '@easgate/messaging';
import type { Tx } from '@easgate/persistence';
import type { EntityManager } from 'typeorm';
import {
  type Alert,
  AlertLifecycle,
  ANY_TENANT,
  type DampingPolicy,
  type Evaluation,
  fingerprintOf,
  toOpsAlert,
} from '../domain/alert';
import type { Clock } from '../domain/clock';
import { AlertingError, AlertingErrorCode } from '../domain/errors';
import type { RuleAction } from '../domain/rules';
import { subscriptionMatches } from '../domain/subscription';
import type { AlertMetrics } from '../infra/alert-metrics';
import type { AlertFilter, AlertRepository } from '../infra/alert.repository';
import type { DeliveryRepository } from '../infra/delivery.repository';
import type { SubscriptionRepository } from '../infra/subscription.repository';

export const ALERT_EVENT_SOURCE = 'urn:easgate:alerting';

/**
 * Applies rule conclusions to the stored alerts and, for each state change, publishes the alert
 * (outbox, same transaction) and queues one delivery per matching subscription.
 */
export class AlertBook {
  constructor(
    private readonly alerts: AlertRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly damping: DampingPolicy,
    private readonly metrics: AlertMetrics,
  ) {}

  async apply(actions: readonly RuleAction[], tx: Tx): Promise<void> {
    const now = this.clock.now();
    for (const action of actions) {
      switch (action.type) {
        case 'raise': {
          const current = await this.alerts.findForUpdate(
            action.condition.tenant,
            fingerprintOf(action.condition),
            tx,
          );
          await this.store(AlertLifecycle.raise(current, action.condition, now, this.damping), tx);
          break;
        }
        case 'clear': {
          const current = await this.alerts.findForUpdate(
            action.identity.tenant,
            fingerprintOf(action.identity),
            tx,
          );
          const evaluation = AlertLifecycle.clear(current, now, this.damping);
          if (evaluation) await this.store(evaluation, tx);
          break;
        }
        case 'clear-kind': {
          for (const current of await this.alerts.findFiringOfKind(action.tenant, action.kind, tx)) {
            const evaluation = AlertLifecycle.clear(current, now, this.damping);
            if (evaluation) await this.store(evaluation, tx);
          }
          break;
        }
      }
    }
  }

  /** Resolves alerts whose clear has been held back long enough. */
  async resolveHeldClears(tx: Tx): Promise<void> {
    const now = this.clock.now();
    for (const alert of await this.alerts.findClearingAcrossTenants(tx)) {
      const evaluation = AlertLifecycle.tick(alert, now, this.damping);
      if (evaluation) await this.store(evaluation, tx);
    }
  }

  /** Retention: resolved alerts and finished deliveries older than `cutoff` go. */
  async purgeBefore(cutoff: Date, tx: Tx): Promise<void> {
    await this.alerts.purgeResolvedBeforeAcrossTenants(cutoff, tx);
    await this.deliveries.purgeFinishedBeforeAcrossTenants(cutoff, tx);
  }

  list(tenant: string, filter: AlertFilter, m: EntityManager): Promise<Alert[]> {
    return this.alerts.list(tenant, filter, m);
  }

  async get(tenant: string, fingerprint: string, m: EntityManager, forUpdate = false): Promise<Alert> {
    const alert = forUpdate
      ? await this.alerts.findForUpdate(tenant, fingerprint, m)
      : await this.alerts.findByFingerprint(tenant, fingerprint, m);
    if (!alert)
      throw new AlertingError(
        AlertingErrorCode.AlertNotFound,
        `no alert ${fingerprint} for tenant ${tenant}`,
      );
    return alert;
  }

  async acknowledge(tenant: string, fingerprint: string, by: string, tx: Tx): Promise<Alert> {
    const alert = AlertLifecycle.acknowledge(
      await this.get(tenant, fingerprint, tx, true),
      by,
      this.clock.now(),
    );
    await this.alerts.save(alert, tx);
    return alert;
  }

  async silence(tenant: string, fingerprint: string, minutes: number, tx: Tx): Promise<Alert> {
    const until = new Date(this.clock.now().getTime() + minutes * 60_000);
    const alert = AlertLifecycle.silence(await this.get(tenant, fingerprint, tx, true), until);
    await this.alerts.save(alert, tx);
    return alert;
  }

  private async store(evaluation: Evaluation, tx: Tx): Promise<void> {
    const { alert, transition } = evaluation;
    await this.alerts.save(alert, tx);
    if (transition === undefined) return;
    const data = toOpsAlert(alert);
    await this.outbox.enqueue(
      tx,
      Topics.OpsAlert,
      alert.fingerprint,
      createCloudEvent({
        // Deterministic: one event id per state change, whatever replays led to it.
        id: `${alert.fingerprint}-${alert.revision}`,
        source: ALERT_EVENT_SOURCE,
        type: alert.status === 'firing' ? OpsEventTypes.AlertFiring : OpsEventTypes.AlertResolved,
        subject: alert.fingerprint,
        ...(alert.tenant !== ANY_TENANT && { tenant: alert.tenant }),
        data,
      }),
    );
    this.metrics.transitions.inc({ kind: alert.kind, severity: alert.severity, transition });
    const now = this.clock.now();
    // A silenced alert still changes state on the topic; only notifications of firing are held back.
    if (alert.status === 'firing' && AlertLifecycle.isSilenced(alert, now)) return;
    for (const subscription of await this.subscriptions.findEnabledFor(alert.tenant, tx)) {
      if (subscriptionMatches(subscription, alert))
        await this.deliveries.enqueue(subscription.tenant, subscription.id, data, now, tx);
    }
  }
}
