import { AlertSeverity, type OpsAlertV1 } from '@easgate/contracts';
import { createTransport, type Transporter } from 'nodemailer';
import { fetch } from 'undici';
import { DestinationGuard } from './destination-guard';
import { signWebhook, SIGNATURE_HEADER } from '../domain/webhook-signature';
import type { Destination } from '../domain/subscription';

export interface DestinationOptions {
  timeoutMs: number;
  /** Firing alerts sent to Alertmanager stay active this long unless re-sent (4 × the re-send cadence). */
  alertmanagerActiveForMs: number;
  smtp?: { url: string; from: string };
  now: () => Date;
  /** Where alerts may go (default: public addresses only). */
  guard?: DestinationGuard;
}

/** One Alertmanager v2 postable alert (https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml). */
export function toAlertmanagerAlert(alert: OpsAlertV1, now: Date, activeForMs: number) {
  return {
    labels: {
      alertname: alert.kind,
      severity: alert.severity,
      tenant: alert.tenant,
      service: 'easgate',
      ...Object.fromEntries(
        Object.entries(alert.labels).map(([k, v]) => [k.replace(/[^a-zA-Z0-9_]/g, '_'), v]),
      ),
    },
    annotations: {
      summary: alert.summary,
      description: alert.description,
      runbook: alert.runbook,
      fingerprint: alert.fingerprint,
    },
    startsAt: alert.startsAt,
    endsAt:
      alert.status === 'resolved' && alert.endsAt
        ? alert.endsAt
        : new Date(now.getTime() + activeForMs).toISOString(),
  };
}

/**
 * One POST to a checked destination: no redirects followed, and the answer's body is never read into an
 * error (the delivery history is readable through the API: a body would turn a probe into a read-back).
 */
async function post(
  guard: DestinationGuard,
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  await guard.check(url);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    redirect: 'manual',
    dispatcher: guard.dispatcher,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body?.cancel().catch(() => undefined);
  if (response.status < 200 || response.status >= 300)
    throw new DestinationHttpError(response.status, new URL(url).host);
}

/** A destination answered with a status other than 2xx (its body is not read). */
export class DestinationHttpError extends Error {
  constructor(
    readonly status: number,
    readonly host: string,
  ) {
    super(
      `HTTP ${status} from ${host}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`,
    );
  }
}

/** Sends alerts to Alertmanager, webhooks and e-mail. Throws with a plain message on failure. */
export class Destinations {
  private mailer?: Transporter;
  private readonly guard: DestinationGuard;

  constructor(private readonly options: DestinationOptions) {
    this.guard = options.guard ?? new DestinationGuard([]);
  }

  async send(destination: Destination, alerts: readonly OpsAlertV1[], deliveryId: string): Promise<void> {
    switch (destination.type) {
      case 'alertmanager':
        return this.toAlertmanager(destination.url, alerts, true);
      case 'webhook': {
        for (const alert of alerts) {
          const body = JSON.stringify({
            type: 'io.easgate.ops.alert',
            deliveryId,
            eventId: `${alert.fingerprint}-${alert.revision}`,
            alert,
          });
          await post(
            this.guard,
            destination.url,
            body,
            {
              [SIGNATURE_HEADER]: signWebhook(destination.secret, body, this.options.now()),
              'x-easgate-delivery': deliveryId,
            },
            this.options.timeoutMs,
          );
        }
        return;
      }
      case 'email':
        for (const alert of alerts) await this.toEmail(destination.to, alert);
        return;
    }
  }

  /**
   * `severity` is a label (Alertmanager routes on it), so a severity change makes a new
   * Alertmanager alert: `endPreviousSeverities` ends the copies under the other severities.
   */
  async toAlertmanager(
    baseUrl: string,
    alerts: readonly OpsAlertV1[],
    endPreviousSeverities = false,
  ): Promise<void> {
    if (alerts.length === 0) return;
    const now = this.options.now();
    const ended = endPreviousSeverities
      ? alerts
          .filter((a) => a.revision > 1)
          .flatMap((a) =>
            AlertSeverity.options
              .filter((s) => s !== a.severity)
              .map((severity) => ({
                ...a,
                severity,
                status: 'resolved' as const,
                endsAt: now.toISOString(),
              })),
          )
      : [];
    const body = JSON.stringify(
      [...ended, ...alerts].map((a) => toAlertmanagerAlert(a, now, this.options.alertmanagerActiveForMs)),
    );
    await post(this.guard, `${baseUrl.replace(/\/+$/, '')}/api/v2/alerts`, body, {}, this.options.timeoutMs);
  }

  private async toEmail(to: readonly string[], alert: OpsAlertV1): Promise<void> {
    if (!this.options.smtp) throw new Error('e-mail subscription but ALERTING_SMTP_URL is not set');
    this.mailer ??= createTransport(this.options.smtp.url);
    const status = alert.status === 'firing' ? 'FIRING' : 'RESOLVED';
    await this.mailer.sendMail({
      from: this.options.smtp.from,
      to: [...to],
      subject: `[${status}] [${alert.severity}] ${alert.summary}`,
      text: [
        alert.summary,
        '',
        alert.description,
        '',
        `What to do: ${alert.runbook}`,
        '',
        `Tenant: ${alert.tenant}`,
        `Kind: ${alert.kind}`,
        `Started: ${alert.startsAt}${alert.endsAt ? `\nResolved: ${alert.endsAt}` : ''}`,
        `Fingerprint: ${alert.fingerprint}`,
      ].join('\n'),
    });
  }

  close(): void {
    this.mailer?.close();
    void this.guard.close();
  }
}
