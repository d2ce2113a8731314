import { createHash } from 'node:crypto';
import type {
  CertificateLifecycleV1,
  ExchangeConfigDriftV1,
  ExchangeResultV1,
  ServiceHealthV1,
} from '@easgate/contracts';
import type { Tx } from '@easgate/persistence';
import { ANY_TENANT } from '../domain/alert';
import { certificateStepOf, validationReasons } from '../domain/certificate-signal';
import type { Clock } from '../domain/clock';
import {
  backlogRule,
  certificateExpiryRule,
  certificateGoneRule,
  certificateValidationFailedRule,
  circuitRule,
  type ConfigChangeActivity,
  configChangeRule,
  type DeadLetterActivity,
  deadLetterRule,
  type DiscoverySchedule,
  discoveryRule,
  exchangeResultRule,
  wipeResultRule,
  type HealthSignal,
  type RuleAction,
  type Thresholds,
  throttlingRule,
  type TrackedCertificate,
} from '../domain/rules';
import type { WatchRepository } from '../infra/watch.repository';
import type { AlertBook } from './alert-book';

const certificateWatch = (id: string) => `certificate:${id}`;
const throttlingWatch = (service: string) => `throttling:${service}`;
const discoveryWatch = (service: string) => `discovery:${service}`;
const deadLetterWatch = (topic: string) => `dead-letters:${topic}`;
/** One watch per alert (its labels are section and identity); a long identity is hashed to fit the name. */
const configChangeWatch = (section: string, identity: string) =>
  `config-change:${section}:${identity.length <= 300 ? identity : createHash('sha256').update(identity).digest('hex')}`;

/** Turns incoming signals into rule actions, remembering what rules need between signals. */
export class SignalIntake {
  constructor(
    private readonly book: AlertBook,
    private readonly watches: WatchRepository,
    private readonly clock: Clock,
    private readonly thresholds: Thresholds,
  ) {}

  async certificate(event: CertificateLifecycleV1, tx: Tx): Promise<void> {
    const tenant = event.tenant;
    const cert = {
      certificateId: event.certificateId,
      tenant,
      subject: event.subject,
      thumbprint: event.thumbprintSha1,
    };
    const actions: RuleAction[] = [];
    // The certificate a rotation replaced no longer needs watching.
    if (event.kind === 'rotated' && event.previousCertificateId !== undefined) {
      await this.forget(tenant, event.previousCertificateId, tx);
    }
    const step = certificateStepOf(event);
    if (step === 'gone') {
      await this.forget(tenant, event.certificateId, tx);
      return;
    }
    if (step === 'validation-failed')
      actions.push(certificateValidationFailedRule(cert, validationReasons(event)));
    if (step === 'validated') {
      actions.push({
        type: 'clear',
        identity: {
          kind: 'certificate-validation-failed',
          tenant,
          labels: { certificateId: cert.certificateId },
        },
      });
    }
    if (step === 'validated' ? event.status === 'active' || event.status === 'retiring' : step === 'track') {
      const tracked: TrackedCertificate = { ...cert, notAfter: event.notAfter };
      await this.watches.put(
        tenant,
        certificateWatch(event.certificateId),
        this.clock.now().toISOString(),
        tracked,
        tx,
      );
      actions.push(...certificateExpiryRule(tracked, this.clock.now(), this.thresholds));
    }
    await this.book.apply(actions, tx);
  }

  private async forget(tenant: string, certificateId: string, tx: Tx): Promise<void> {
    await this.watches.remove(tenant, certificateWatch(certificateId), tx);
    await this.book.apply(certificateGoneRule({ certificateId, tenant }), tx);
  }

  async exchangeResult(result: ExchangeResultV1, tx: Tx): Promise<void> {
    await this.book.apply([...exchangeResultRule(result), ...wipeResultRule(result)], tx);
  }

  async configDrift(drift: ExchangeConfigDriftV1, tx: Tx): Promise<void> {
    const name = configChangeWatch(drift.section, drift.identity);
    const watch = await this.watches.find<ConfigChangeActivity>(drift.tenant, name, tx);
    const activity: ConfigChangeActivity = {
      tenant: drift.tenant,
      section: drift.section,
      identity: drift.identity,
      change: drift.change,
      ...(drift.before !== undefined && { before: drift.before }),
      ...(drift.after !== undefined && { after: drift.after }),
      count: (watch?.data.count ?? 0) + 1,
      // Out-of-order events never shorten the quiet period.
      lastSeenAt:
        watch !== undefined && Date.parse(watch.data.lastSeenAt) > Date.parse(drift.observedAt)
          ? watch.data.lastSeenAt
          : drift.observedAt,
    };
    await this.watches.put(drift.tenant, name, watch?.since ?? drift.observedAt, activity, tx);
    await this.book.apply(configChangeRule(activity, this.clock.now(), this.thresholds), tx);
  }

  async health(signal: ServiceHealthV1, tx: Tx): Promise<void> {
    const now = this.clock.now();
    switch (signal.signal) {
      case 'throttling': {
        const name = throttlingWatch(signal.service);
        const watch = await this.watches.find<HealthSignal<'throttling'>>(signal.tenant, name, tx);
        if (signal.active)
          await this.watches.put(signal.tenant, name, watch?.since ?? signal.observedAt, signal, tx);
        else await this.watches.remove(signal.tenant, name, tx);
        await this.book.apply(throttlingRule(signal, watch?.since, now, this.thresholds), tx);
        return;
      }
      case 'circuit':
        await this.book.apply(circuitRule(signal), tx);
        return;
      case 'backlog':
        await this.book.apply(backlogRule(signal, this.thresholds), tx);
        return;
      case 'discovery-completed': {
        const schedule: DiscoverySchedule = {
          tenant: signal.tenant,
          service: signal.service,
          completedAt: signal.completedAt,
          intervalSeconds: signal.intervalSeconds,
        };
        await this.watches.put(
          signal.tenant,
          discoveryWatch(signal.service),
          signal.completedAt,
          schedule,
          tx,
        );
        await this.book.apply(discoveryRule(schedule, now, this.thresholds), tx);
        return;
      }
      case 'dead-letters':
        await this.deadLetters(signal.topic, signal.tenant ?? ANY_TENANT, signal.count, signal.lastCode, tx);
        return;
    }
  }

  async deadLetters(
    topic: string,
    tenant: string,
    count: number,
    lastCode: string | undefined,
    tx: Tx,
  ): Promise<void> {
    const name = deadLetterWatch(topic);
    const watch = await this.watches.find<DeadLetterActivity>(tenant, name, tx);
    const activity: DeadLetterActivity = {
      topic,
      tenant,
      count: (watch?.data.count ?? 0) + count,
      lastSeenAt: this.clock.now().toISOString(),
      ...(lastCode !== undefined && { lastCode }),
    };
    await this.watches.put(tenant, name, watch?.since ?? activity.lastSeenAt, activity, tx);
    await this.book.apply(deadLetterRule(activity, this.clock.now(), this.thresholds), tx);
  }

  /** Time-driven rules: expiry stages, overdue discovery, sustained throttling, quiet dead letters, held clears. */
  async sweep(tx: Tx): Promise<void> {
    const now = this.clock.now();
    for (const w of await this.watches.findByPrefixAcrossTenants<TrackedCertificate>('certificate:', tx)) {
      await this.book.apply(certificateExpiryRule(w.data, now, this.thresholds), tx);
    }
    for (const w of await this.watches.findByPrefixAcrossTenants<DiscoverySchedule>('discovery:', tx)) {
      await this.book.apply(discoveryRule(w.data, now, this.thresholds), tx);
    }
    for (const w of await this.watches.findByPrefixAcrossTenants<HealthSignal<'throttling'>>(
      'throttling:',
      tx,
    )) {
      await this.book.apply(throttlingRule(w.data, w.since, now, this.thresholds), tx);
    }
    await this.sweepQuiet<DeadLetterActivity>('dead-letters:', deadLetterRule, now, tx);
    await this.sweepQuiet<ConfigChangeActivity>('config-change:', configChangeRule, now, tx);
    await this.book.resolveHeldClears(tx);
  }

  /**
   * Watches of event-like conditions (dead letters, configuration changes): once a rule says the
   * condition went quiet, the watch is forgotten so the next occurrence starts a fresh alert.
   */
  private async sweepQuiet<T>(
    prefix: string,
    rule: (data: T, now: Date, thresholds: Thresholds) => RuleAction[],
    now: Date,
    tx: Tx,
  ): Promise<void> {
    for (const w of await this.watches.findByPrefixAcrossTenants<T>(prefix, tx)) {
      const clears = rule(w.data, now, this.thresholds).filter((a) => a.type !== 'raise');
      if (clears.length === 0) continue;
      await this.watches.remove(w.tenant, w.name, tx);
      await this.book.apply(clears, tx);
    }
  }
}
