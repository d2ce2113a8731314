import type { Logger } from '@easgate/messaging';
import type { Database, Tx } from '@easgate/persistence';
import { toOpsAlert } from '../domain/alert';
import type { Clock } from '../domain/clock';
import { deliveryFailingRule } from '../domain/rules';
import {
  type BackoffPolicy,
  nextAttemptDelayMs,
  type Subscription,
  subscriptionMatches,
} from '../domain/subscription';
import type { AlertMetrics } from '../infra/alert-metrics';
import type { AlertRepository } from '../infra/alert.repository';
import type { Delivery, DeliveryRepository } from '../infra/delivery.repository';
import type { Destinations } from '../infra/destinations';
import type { SubscriptionRepository } from '../infra/subscription.repository';
import type { AlertBook } from './alert-book';

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Sends queued deliveries, retrying with back-off and recording each outcome; a destination that
 * keeps failing raises its own alert, which clears on its next success.
 */
export class DeliveryDispatcher {
  constructor(
    private readonly db: Database,
    private readonly deliveries: DeliveryRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly alerts: AlertRepository,
    private readonly book: AlertBook,
    private readonly destinations: Destinations,
    private readonly clock: Clock,
    private readonly backoff: BackoffPolicy,
    private readonly metrics: AlertMetrics,
    private readonly logger: Logger,
  ) {}

  /** One pass over due deliveries; returns how many were attempted. */
  async dispatchDue(limit = 50): Promise<number> {
    const due = await this.db.read((m) => this.deliveries.findDueAcrossTenants(this.clock.now(), limit, m));
    for (const delivery of due) await this.attempt(delivery);
    return due.length;
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const subscription = await this.db.read((m) =>
      this.subscriptions.findById(delivery.tenant, delivery.subscriptionId, m),
    );
    const attempts = delivery.attempts + 1;
    if (!subscription?.enabled) {
      await this.db.transaction((tx) =>
        this.deliveries.markFailed(
          delivery.tenant,
          delivery.id,
          attempts,
          'subscription deleted or disabled',
          null,
          tx,
        ),
      );
      return;
    }
    const type = subscription.destination.type;
    try {
      await this.destinations.send(
        subscription.destination,
        [delivery.alert],
        `${delivery.subscriptionId}:${delivery.id}`,
      );
      this.metrics.deliveries.inc({ destination: type, outcome: 'delivered' });
      await this.db.transaction(async (tx) => {
        await this.deliveries.markDelivered(delivery.tenant, delivery.id, attempts, this.clock.now(), tx);
        await this.recordDestinationOutcome(subscription, null, false, tx);
      });
    } catch (err) {
      const message = errorText(err);
      this.metrics.deliveries.inc({ destination: type, outcome: 'failed' });
      const giveUp = attempts >= this.backoff.maxAttempts;
      const next = giveUp
        ? null
        : new Date(this.clock.now().getTime() + nextAttemptDelayMs(this.backoff, attempts));
      this.logger.warn(
        {
          subscriptionId: subscription.id,
          deliveryId: delivery.id,
          fingerprint: delivery.fingerprint,
          attempts,
          giveUp,
          reason: message,
        },
        'alert delivery failed',
      );
      await this.db.transaction(async (tx) => {
        await this.deliveries.markFailed(delivery.tenant, delivery.id, attempts, message, next, tx);
        await this.recordDestinationOutcome(subscription, message, giveUp, tx);
      });
    }
  }

  /** Records a destination's outcome; raises its failing alert after repeated failures, clears it on success. */
  private async recordDestinationOutcome(
    subscription: Subscription,
    error: string | null,
    giveUp: boolean,
    tx: Tx,
  ): Promise<void> {
    const owner = {
      id: subscription.id,
      tenant: subscription.tenant,
      destination: subscription.destination.type,
    };
    const before = await this.subscriptions.findById(subscription.tenant, subscription.id, tx);
    const health = await this.subscriptions.recordOutcome(subscription.tenant, subscription.id, error, tx);
    if (error === null) {
      if ((before?.consecutiveFailures ?? 0) > 0)
        await this.book.apply(deliveryFailingRule(owner, false, ''), tx);
      return;
    }
    if (health && (health.consecutiveFailures >= this.backoff.alertAfterFailures || giveUp)) {
      await this.book.apply(deliveryFailingRule(owner, true, error), tx);
    }
  }

  /**
   * Alertmanager forgets an alert whose endsAt passes: re-send every firing alert to each
   * Alertmanager subscription on its cadence, as Prometheus does.
   */
  async resendToAlertmanagers(): Promise<void> {
    const [subscriptions, firing] = await this.db.read(async (m) => [
      await this.subscriptions.findEnabledOfType('alertmanager', m),
      await this.alerts.findFiringAcrossTenants(m),
    ]);
    for (const subscription of subscriptions) {
      if (subscription.destination.type !== 'alertmanager') continue;
      const now = this.clock.now();
      const alerts = firing
        .filter(
          (a) =>
            subscriptionMatches(subscription, a) &&
            !(a.silencedUntil !== null && Date.parse(a.silencedUntil) > now.getTime()),
        )
        .map(toOpsAlert);
      if (alerts.length === 0) continue;
      let error: string | null = null;
      try {
        await this.destinations.toAlertmanager(subscription.destination.url, alerts);
        this.metrics.deliveries.inc({ destination: 'alertmanager', outcome: 'resent' });
      } catch (err) {
        error = errorText(err);
        this.metrics.deliveries.inc({ destination: 'alertmanager', outcome: 'resend-failed' });
        this.logger.warn({ subscriptionId: subscription.id, reason: error }, 'alertmanager re-send failed');
      }
      // An Alertmanager that went away is noticed even when no alert changes state.
      await this.db.transaction((tx) => this.recordDestinationOutcome(subscription, error, false, tx));
    }
  }
}
