import { randomUUID } from 'node:crypto';
import type { OpsAlertV1 } from '@easgate/contracts';
import type { Database } from '@easgate/persistence';
import type { Clock } from '../domain/clock';
import { AlertingError, AlertingErrorCode } from '../domain/errors';
import type { Destination } from '../domain/subscription';
import { DestinationRefusedError } from '../infra/destination-guard';
import { DestinationHttpError, type Destinations } from '../infra/destinations';
import type { SubscriptionRepository } from '../infra/subscription.repository';

/** What a test alert did: sent and accepted by its destination. Failures are coded errors. */
export interface TestAlertOutcome {
  subscriptionId: string;
  destination: Destination['type'];
  delivered: true;
  /** The test alert's fingerprint (as the destination saw it). */
  fingerprint: string;
  sentAt: string;
  durationMs: number;
}

/**
 * "Send test alert": one alert of kind `test-alert` through the same Destinations a real delivery uses
 * (destination guard, webhook signature, Alertmanager v2 API, SMTP). It is not recorded as a delivery,
 * changes no subscription health and is never published on the alert topic. A failure is reported with
 * a code and a plain reason (status, host, network cause): never the destination's answer body.
 */
export class TestAlerts {
  constructor(
    private readonly db: Database,
    private readonly subscriptions: SubscriptionRepository,
    private readonly destinations: Destinations,
    private readonly clock: Clock,
  ) {}

  async send(tenant: string, subscriptionId: string, actor: string): Promise<TestAlertOutcome> {
    const subscription = await this.db.read((m) => this.subscriptions.findById(tenant, subscriptionId, m));
    if (!subscription)
      throw new AlertingError(
        AlertingErrorCode.SubscriptionNotFound,
        `no subscription ${subscriptionId} for tenant ${tenant}`,
      );
    const now = this.clock.now();
    const fingerprint = `test-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const alert: OpsAlertV1 = {
      fingerprint,
      status: 'firing',
      kind: 'test-alert',
      severity: 'info',
      tenant,
      labels: { subscription: subscription.id, test: 'true' },
      summary: `easgate test alert for "${subscription.name}"`,
      description: `Sent on request by ${actor} to check that this destination receives easgate's alerts. Nothing is wrong.`,
      runbook: 'Nothing to do: this alert only checks the delivery path.',
      startsAt: now.toISOString(),
      occurrences: 1,
      revision: 1,
    };
    const started = Date.now();
    try {
      await this.destinations.send(subscription.destination, [alert], `test:${fingerprint}`);
    } catch (err) {
      throw testAlertFailure(subscription.destination, err);
    }
    return {
      subscriptionId: subscription.id,
      destination: subscription.destination.type,
      delivered: true,
      fingerprint,
      sentAt: now.toISOString(),
      durationMs: Date.now() - started,
    };
  }
}

/** A delivery failure as a coded error whose message names the cause, never an answer body. */
export function testAlertFailure(destination: Destination, err: unknown): AlertingError {
  const where = destination.type === 'email' ? 'the SMTP server' : hostOf(destination.url);
  if (err instanceof DestinationRefusedError || causeOf(err) instanceof DestinationRefusedError)
    return new AlertingError(
      AlertingErrorCode.DestinationNotAllowed,
      `${where} is not an admitted destination (private or loopback address): list it in ALERTING_ALLOWED_DESTINATION_HOSTS`,
    );
  if (err instanceof DestinationHttpError)
    return new AlertingError(
      AlertingErrorCode.DestinationRejected,
      `${where} answered HTTP ${err.status}${err.status >= 300 && err.status < 400 ? ' (redirects are not followed)' : ''}`,
    );
  const smtpStatus = (err as { responseCode?: unknown } | null)?.responseCode;
  if (typeof smtpStatus === 'number')
    return new AlertingError(AlertingErrorCode.DestinationRejected, `${where} answered SMTP ${smtpStatus}`);
  return new AlertingError(AlertingErrorCode.DestinationUnreachable, `${where} ${networkReason(err)}`);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the destination';
  }
}

function causeOf(err: unknown): unknown {
  return err instanceof Error ? err.cause : undefined;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'refused the connection (nothing listens there)',
  ECONNRESET: 'closed the connection',
  ENOTFOUND: 'does not resolve (DNS)',
  EAI_AGAIN: 'does not resolve (DNS)',
  ETIMEDOUT: 'did not answer in time',
  UND_ERR_CONNECT_TIMEOUT: 'did not answer in time',
  UND_ERR_HEADERS_TIMEOUT: 'did not answer in time',
  ECONNECTION: 'refused the connection (nothing listens there)',
  ESOCKET: 'closed the connection',
  EAUTH: 'refused the SMTP credentials',
  ETLS: 'failed the TLS handshake',
};

function networkReason(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return 'did not answer in time';
  for (const candidate of [err, causeOf(err)]) {
    const code = (candidate as { code?: unknown } | null)?.code;
    if (typeof code === 'string') {
      if (NETWORK_REASONS[code]) return NETWORK_REASONS[code];
      if (code.startsWith('ERR_TLS') || code.includes('CERT')) return 'failed the TLS handshake';
      if (/^E[A-Z_]+$/.test(code)) return `could not be reached (${code})`;
    }
  }
  return 'could not be reached';
}
