import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Inbox, type Logger, Outbox } from '@easgate/messaging';
import { PeriodicTask, type ServiceContext } from '@easgate/service-runtime';
import { type AlertingConfig, parseAlertingConfig } from './alerting.config';
import { AlertBook } from './application/alert-book';
import { AlertingApi } from './application/alerting-api';
import { DeadLetterWatcher } from './application/dead-letter-watcher';
import { DeliveryDispatcher } from './application/delivery-dispatcher';
import { TestAlerts } from './application/test-alerts';
import { SignalIntake } from './application/signal-intake';
import { type Clock, systemClock } from './domain/clock';
import { CertificateLifecycleHandler } from './handlers/certificate-lifecycle.handler';
import { ExchangeConfigDriftHandler } from './handlers/exchange-config-drift.handler';
import { ExchangeResultHandler } from './handlers/exchange-result.handler';
import { ServiceHealthHandler } from './handlers/service-health.handler';
import { AlertsController } from './http/alerts.controller';
import { SubscriptionsController } from './http/subscriptions.controller';
import { alertMetrics } from './infra/alert-metrics';
import { AlertRepository } from './infra/alert.repository';
import { DeliveryRepository } from './infra/delivery.repository';
import { DestinationGuard } from './infra/destination-guard';
import { Destinations } from './infra/destinations';
import { SecretSealer } from './infra/secret-sealer';
import { SubscriptionRepository } from './infra/subscription.repository';
import { WatchRepository } from './infra/watch.repository';

const ALERTING_CONFIG = Symbol('ALERTING_CONFIG');
const ALERTING_LOGGER = Symbol('ALERTING_LOGGER');
const SERVICE_CONTEXT = Symbol('ALERTING_SERVICE_CONTEXT');

/** The time-driven work: sweeping rules, sending deliveries, re-sending to Alertmanager, watching dead letters. */
@Injectable()
class AlertingBackground implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly loops: PeriodicTask[];
  private watcher?: DeadLetterWatcher;
  private watcherStopped?: Promise<void>;

  constructor(
    @Inject(ALERTING_CONFIG) config: AlertingConfig,
    @Inject(ALERTING_LOGGER) logger: Logger,
    @Inject(SignalIntake) intake: SignalIntake,
    @Inject(AlertBook) book: AlertBook,
    @Inject(DeliveryDispatcher) dispatcher: DeliveryDispatcher,
    @Inject(DeadLetterWatcher) watcher: DeadLetterWatcher,
    @Inject(Destinations) private readonly destinations: Destinations,
    @Inject(SERVICE_CONTEXT) context: ServiceContext,
  ) {
    const db = context.database;
    this.loops = [
      new PeriodicTask(
        'alert sweep',
        config.sweepIntervalMs,
        () =>
          db.transaction(async (tx) => {
            await intake.sweep(tx);
            await book.purgeBefore(new Date(Date.now() - config.retentionMs), tx);
          }),
        logger,
      ),
      new PeriodicTask('alert delivery', config.deliveryPollMs, () => dispatcher.dispatchDue(), logger),
      new PeriodicTask(
        'alertmanager re-send',
        config.alertmanagerResendMs,
        () => dispatcher.resendToAlertmanagers(),
        logger,
      ),
    ];
    if (config.deadLetters.watch) this.watcher = watcher;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.watcher?.start();
    for (const loop of this.loops) loop.start();
    // Catch up at once on what came due while the service was down.
    this.loops[0].runOnce();
  }

  /** Started here so that leaving the dead-letter group overlaps the transport's own consumer leaving. */
  beforeApplicationShutdown(): void {
    this.watcherStopped = this.watcher?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await (this.watcherStopped ?? this.watcher?.stop());
    await Promise.all(this.loops.map((l) => l.stop()));
    this.destinations.close();
  }
}

@Module({})
export class AlertingModule {
  static forService(context: ServiceContext, clock: Clock = systemClock): DynamicModule {
    const config = parseAlertingConfig(context.env);
    const db = context.database;
    const alerts = new AlertRepository();
    const subscriptions = new SubscriptionRepository(
      SecretSealer.load(config.secretsKey, context.dataDir, context.logger),
    );
    const deliveries = new DeliveryRepository();
    const watches = new WatchRepository();
    const metrics = alertMetrics(() => db.read((m) => alerts.countFiringBy(m)));
    const guard = new DestinationGuard(config.allowedDestinationHosts);
    const destinations = new Destinations({
      guard,
      timeoutMs: config.deliveryTimeoutMs,
      alertmanagerActiveForMs: 4 * config.alertmanagerResendMs,
      ...(config.smtp !== undefined && { smtp: config.smtp }),
      now: () => clock.now(),
    });
    return {
      module: AlertingModule,
      controllers: [
        CertificateLifecycleHandler,
        ExchangeResultHandler,
        ExchangeConfigDriftHandler,
        ServiceHealthHandler,
        AlertsController,
        SubscriptionsController,
      ],
      providers: [
        { provide: ALERTING_CONFIG, useValue: config },
        { provide: ALERTING_LOGGER, useValue: context.logger },
        { provide: SERVICE_CONTEXT, useValue: context },
        { provide: Destinations, useValue: destinations },
        { provide: TestAlerts, useValue: new TestAlerts(db, subscriptions, destinations, clock) },
        {
          provide: AlertBook,
          useFactory: (outbox: Outbox) =>
            new AlertBook(alerts, subscriptions, deliveries, outbox, clock, config.damping, metrics),
          inject: [Outbox],
        },
        {
          provide: SignalIntake,
          useFactory: (book: AlertBook) => new SignalIntake(book, watches, clock, config.thresholds),
          inject: [AlertBook],
        },
        {
          provide: AlertingApi,
          useFactory: (book: AlertBook) =>
            new AlertingApi(db, book, subscriptions, deliveries, clock, config.smtp !== undefined, guard),
          inject: [AlertBook],
        },
        {
          provide: DeliveryDispatcher,
          useFactory: (book: AlertBook) =>
            new DeliveryDispatcher(
              db,
              deliveries,
              subscriptions,
              alerts,
              book,
              destinations,
              clock,
              config.backoff,
              metrics,
              context.logger,
            ),
          inject: [AlertBook],
        },
        {
          provide: DeadLetterWatcher,
          useFactory: (inbox: Inbox, intake: SignalIntake) =>
            new DeadLetterWatcher(context.bus, inbox, intake, context.logger, config.deadLetters),
          inject: [Inbox, SignalIntake],
        },
        AlertingBackground,
      ],
    };
  }
}
