import { randomUUID } from 'node:crypto';
import { type DestinationGuard, DestinationRefusedError } from '../infra/destination-guard';
import { AlertKind, AlertSeverity } from '@easgate/contracts';
import type { Database } from '@easgate/persistence';
import { parseInput as parseWith } from '@easgate/service-runtime';
import { z } from 'zod';
import type { Alert } from '../domain/alert';
import type { Clock } from '../domain/clock';
import { AlertingError, AlertingErrorCode } from '../domain/errors';
import type { Subscription } from '../domain/subscription';
import type { AlertFilter } from '../infra/alert.repository';
import type { Delivery, DeliveryRepository } from '../infra/delivery.repository';
import type { SubscriptionHealth, SubscriptionRepository } from '../infra/subscription.repository';
import type { AlertBook } from './alert-book';

const httpUrl = z.url({ protocol: /^https?$/ });

export const DestinationInput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('alertmanager'), url: httpUrl }),
  z.object({
    type: z.literal('webhook'),
    url: httpUrl,
    secret: z.string().min(16, 'secret: at least 16 characters'),
  }),
  z.object({ type: z.literal('email'), to: z.array(z.email()).min(1) }),
]);

export const SubscriptionInput = z.object({
  name: z.string().min(1).max(200),
  kinds: z.array(AlertKind).default([]),
  minSeverity: AlertSeverity.default('warning'),
  destination: DestinationInput,
  enabled: z.boolean().default(true),
});
export type SubscriptionInput = z.input<typeof SubscriptionInput>;

export const AlertQuery = z.object({
  status: z.enum(['firing', 'resolved']).optional(),
  kind: AlertKind.optional(),
  severity: AlertSeverity.optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export const AcknowledgeInput = z.object({ by: z.string().min(1).max(200) });
export const SilenceInput = z.object({
  minutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 30),
});

export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  return parseWith(
    schema,
    value ?? {},
    (issues) => new AlertingError(AlertingErrorCode.InvalidRequest, issues),
  );
}

/** A subscription as the API shows it: the webhook secret never leaves the service. */
export type SubscriptionView = Omit<Subscription, 'destination'> &
  SubscriptionHealth & { destination: { type: string; url?: string; to?: readonly string[] } };

function view(s: Subscription & SubscriptionHealth): SubscriptionView {
  const d = s.destination;
  return {
    ...s,
    destination: d.type === 'email' ? { type: d.type, to: d.to } : { type: d.type, url: d.url },
  };
}

/** What the HTTP API does, tenant by tenant. */
export class AlertingApi {
  constructor(
    private readonly db: Database,
    private readonly book: AlertBook,
    private readonly subscriptions: SubscriptionRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly clock: Clock,
    /** Whether ALERTING_SMTP_URL is set: e-mail subscriptions are refused without it. */
    private readonly emailConfigured: boolean,
    /** Refuses destinations on private addresses not admitted by the operator. */
    private readonly destinationGuard?: DestinationGuard,
  ) {}

  listAlerts(tenant: string, filter: AlertFilter): Promise<Alert[]> {
    return this.db.read((m) => this.book.list(tenant, filter, m));
  }

  getAlert(tenant: string, fingerprint: string): Promise<Alert> {
    return this.db.read((m) => this.book.get(tenant, fingerprint, m));
  }

  acknowledge(tenant: string, fingerprint: string, by: string): Promise<Alert> {
    return this.db.transaction((tx) => this.book.acknowledge(tenant, fingerprint, by, tx));
  }

  silence(tenant: string, fingerprint: string, minutes: number): Promise<Alert> {
    return this.db.transaction((tx) => this.book.silence(tenant, fingerprint, minutes, tx));
  }

  async listSubscriptions(tenant: string): Promise<SubscriptionView[]> {
    return (await this.db.read((m) => this.subscriptions.list(tenant, m))).map(view);
  }

  async getSubscription(tenant: string, id: string): Promise<SubscriptionView> {
    return view(await this.db.read((m) => this.requireSubscription(tenant, id, m)));
  }

  async createSubscription(
    tenant: string,
    input: z.output<typeof SubscriptionInput>,
  ): Promise<SubscriptionView> {
    await this.checkDeliverable(input);
    const subscription: Subscription = {
      id: randomUUID(),
      tenant,
      createdAt: this.clock.now().toISOString(),
      ...input,
    };
    await this.db.transaction((tx) => this.subscriptions.save(subscription, tx));
    return this.getSubscription(tenant, subscription.id);
  }

  async replaceSubscription(
    tenant: string,
    id: string,
    input: z.output<typeof SubscriptionInput>,
  ): Promise<SubscriptionView> {
    await this.checkDeliverable(input);
    await this.db.transaction(async (tx) => {
      const current = await this.requireSubscription(tenant, id, tx);
      await this.subscriptions.save({ ...input, id, tenant, createdAt: current.createdAt }, tx);
    });
    return this.getSubscription(tenant, id);
  }

  async deleteSubscription(tenant: string, id: string): Promise<void> {
    const deleted = await this.db.transaction((tx) => this.subscriptions.delete(tenant, id, tx));
    if (!deleted)
      throw new AlertingError(
        AlertingErrorCode.SubscriptionNotFound,
        `no subscription ${id} for tenant ${tenant}`,
      );
  }

  async listDeliveries(tenant: string, id: string, limit: number): Promise<Delivery[]> {
    return this.db.read(async (m) => {
      await this.requireSubscription(tenant, id, m);
      return this.deliveries.listForSubscription(tenant, id, limit, m);
    });
  }

  private async checkDeliverable(input: z.output<typeof SubscriptionInput>): Promise<void> {
    if (input.destination.type === 'email' && !this.emailConfigured) {
      throw new AlertingError(
        AlertingErrorCode.InvalidSubscription,
        'e-mail subscriptions need an SMTP server: set ALERTING_SMTP_URL on the alerting service',
      );
    }
    if (input.destination.type !== 'email' && this.destinationGuard) {
      try {
        await this.destinationGuard.check(input.destination.url);
      } catch (err) {
        if (!(err instanceof DestinationRefusedError)) throw err;
        throw new AlertingError(AlertingErrorCode.DestinationNotAllowed, err.message);
      }
    }
  }

  private async requireSubscription(
    tenant: string,
    id: string,
    m: Parameters<SubscriptionRepository['findById']>[2],
  ) {
    const found = await this.subscriptions.findById(tenant, id, m);
    if (!found)
      throw new AlertingError(
        AlertingErrorCode.SubscriptionNotFound,
        `no subscription ${id} for tenant ${tenant}`,
      );
    return found;
  }
}
