import { readFileSync } from 'node:fs';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createCloudEvent, OpsEventTypes, Topics } from '@easgate/contracts';
import { Inbox, Outbox, SERVICE_DATABASE } from '@easgate/messaging';
import type { Database } from '@easgate/persistence';
import { type ServiceContext, tenantResolverToken, type TenantResolver } from '@easgate/service-runtime';
import { peerCaFromEnv } from '@easgate/tls';
import { CommandProcessor, EXECUTOR_SOURCE } from './application/command-processor';
import { ConfigSync } from './application/config-sync';
import { Discovery } from './application/discovery';
import { HealthReporter } from './application/health-reporter';
import { ScopeGuard } from './application/scope-guard';
import { TenantStatus } from './application/tenant-status';
import { type ExecutorConfig, parseExecutorConfig } from './config';
import { ExecutorError, ExecutorErrorCode } from './domain/executor-error';
import { CommandKindPolicy } from './domain/command-kinds';
import { ExchangeCommandHandler } from './handlers/exchange-command.handler';
import { ExecutorController } from './http/executor.controller';
import { ExchangeClientFactory, type HttpTransport, UndiciTransport } from './infra/exchange-client';
import { exchangeRequestMetrics } from './infra/exchange-metrics';
import { CommandLogRepository } from './infra/persistence/command-log.repository';
import { ConfigSnapshotRepository } from './infra/persistence/config-snapshot.repository';
import { MailboxLeaseRepository, ProcessLocalLeases } from './infra/persistence/mailbox-lease.repository';
import { MailboxSnapshotRepository } from './infra/persistence/mailbox-snapshot.repository';
import { TenantStatusQueries } from './infra/persistence/tenant-status.queries';
import {
  ConfiguredTenantClients,
  FallbackTenantClients,
  type TenantClients,
  VaultTenantClients,
} from './infra/tenant-clients';
import { SERVED_TENANTS, TENANT_CLIENTS } from './tokens';

export interface ExchangeExecutorOptions {
  /** Tests and the bench: a transport of their own (default: undici, trusting EXECUTOR_CA_FILE). */
  http?: HttpTransport;
}

/** Starts the processor and the discovery schedule with the app; stops them before the database closes. */
@Injectable()
class ExecutorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  constructor(
    @Inject(CommandProcessor) private readonly processor: CommandProcessor,
    @Inject(Discovery) private readonly discovery: Discovery,
    @Inject(ConfigSync) private readonly configSync: ConfigSync,
    @Inject(HealthReporter) private readonly health: HealthReporter,
    @Inject('EXECUTOR_RUNTIME')
    private readonly runtime: {
      config: ExecutorConfig;
      http: HttpTransport;
      ownsHttp: boolean;
      context: ServiceContext;
    },
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.processor.start();
    this.health.start();
    const minutes = this.runtime.config.EXECUTOR_DISCOVERY_INTERVAL_MINUTES;
    const tenant =
      this.runtime.config.configuredConnection?.tenantId ??
      this.runtime.config.configuredConnection?.organization;
    if (minutes > 0 && tenant) {
      this.timer = setInterval(() => {
        this.discovery.start(tenant);
        // A failed sync is logged by the next one's absence of progress; it retries on the next tick.
        this.configSync.sync(tenant).catch(() => undefined);
      }, minutes * 60_000);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.processor.stop();
    await this.health.stop();
    if (this.runtime.ownsHttp) await this.runtime.http.close();
  }
}

@Module({})
export class ExchangeExecutorModule {
  static forService(context: ServiceContext, options: ExchangeExecutorOptions = {}): DynamicModule {
    const config = parseExecutorConfig(context.env);
    // Extra CAs: the sandbox's (EXECUTOR_CA_FILE) and the services' own (EASGATE_TLS_CA_FILE, for the vault).
    const caPem = [
      config.EXECUTOR_CA_FILE ? readFileSync(config.EXECUTOR_CA_FILE, 'utf8') : undefined,
      peerCaFromEnv(context.env),
    ].filter((pem) => pem !== undefined);
    const http = options.http ?? new UndiciTransport(caPem.length > 0 ? { caPem: caPem.join('\n') } : {});
    // The factory exists before Nest builds the reporter (which needs the database and outbox).
    const health: { reporter?: HealthReporter } = {};
    const metrics = exchangeRequestMetrics();
    const factory = new ExchangeClientFactory({
      http,
      guard: {
        maxConcurrency: config.EXECUTOR_TENANT_CONCURRENCY,
        ratePerSecond: config.EXECUTOR_TENANT_RATE_PER_SECOND,
        burst: Math.max(1, config.EXECUTOR_TENANT_RATE_PER_SECOND),
        failureThreshold: config.EXECUTOR_CIRCUIT_FAILURES,
        openMs: config.EXECUTOR_CIRCUIT_OPEN_MS,
      },
      retry: { baseDelayMs: config.EXECUTOR_RETRY_BASE_MS },
      pageSize: config.EXECUTOR_PAGE_SIZE,
      observe: (request) => {
        metrics(request);
        health.reporter?.requestObserved(request);
      },
      onCircuitChange: (tenant, state, reason) => health.reporter?.circuitChanged(tenant, state, reason),
    });
    const clients = tenantClients(context, config, http, factory);
    return {
      module: ExchangeExecutorModule,
      controllers: [ExchangeCommandHandler, ExecutorController],
      providers: [
        {
          provide: 'EXECUTOR_RUNTIME',
          useValue: { config, http, ownsHttp: options.http === undefined, context },
        },
        { provide: TENANT_CLIENTS, useValue: clients },
        {
          provide: tenantResolverToken('discovery-scan'),
          useFactory: (discovery: Discovery): TenantResolver => ({
            tenantOf: (scanId) => Promise.resolve(discovery.status(scanId)?.tenant),
          }),
          inject: [Discovery],
        },
        {
          provide: tenantResolverToken('command'),
          useFactory: (log: CommandLogRepository): TenantResolver => ({
            tenantOf: (commandId) => log.tenantOf(commandId),
          }),
          inject: [CommandLogRepository],
        },
        { provide: SERVED_TENANTS, useValue: config.EXECUTOR_TENANTS },
        {
          provide: CommandLogRepository,
          useFactory: (db: Database) => new CommandLogRepository(db),
          inject: [SERVICE_DATABASE],
        },
        {
          provide: MailboxSnapshotRepository,
          useFactory: (db: Database) => new MailboxSnapshotRepository(db),
          inject: [SERVICE_DATABASE],
        },
        {
          provide: CommandProcessor,
          useFactory: (
            db: Database,
            log: CommandLogRepository,
            snapshots: MailboxSnapshotRepository,
            outbox: Outbox,
            inbox: Inbox,
          ) =>
            new CommandProcessor(
              db,
              log,
              db.kind === 'postgres' ? new MailboxLeaseRepository(db) : new ProcessLocalLeases(db),
              snapshots,
              clients,
              outbox,
              inbox,
              context.logger,
              {
                ...(config.EXECUTOR_INSTANCE_ID !== undefined && { instanceId: config.EXECUTOR_INSTANCE_ID }),
                leaseMs: config.EXECUTOR_LEASE_MS,
                wipeRecovery: config.EXECUTOR_WIPE_RECOVERY,
                batchWindowMs: config.EXECUTOR_BATCH_WINDOW_MS,
                maxBatchDelayMs: config.EXECUTOR_MAX_BATCH_DELAY_MS,
                maxAttempts: config.EXECUTOR_MAX_ATTEMPTS,
                retryBaseMs: config.EXECUTOR_RETRY_BASE_MS,
                parallelMailboxes: config.EXECUTOR_PARALLEL_MAILBOXES,
                scope: new ScopeGuard(config.EXECUTOR_SCOPES),
                kinds: new CommandKindPolicy(
                  config.EXECUTOR_COMMAND_KINDS,
                  config.EXECUTOR_TENANT_COMMAND_KINDS,
                ),
                onOutage: (tenant, reason) =>
                  health.reporter?.circuitChanged(tenant, reason === undefined ? 'closed' : 'open', reason),
              },
            ),
          inject: [SERVICE_DATABASE, CommandLogRepository, MailboxSnapshotRepository, Outbox, Inbox],
        },
        {
          provide: HealthReporter,
          useFactory: (db: Database, outbox: Outbox, log: CommandLogRepository) => {
            health.reporter = new HealthReporter(
              {
                publish: (key, signal) =>
                  db.transaction((tx) =>
                    outbox.enqueue(
                      tx,
                      Topics.ServiceHealth,
                      key,
                      createCloudEvent({
                        source: EXECUTOR_SOURCE,
                        type: OpsEventTypes.Health,
                        subject: signal.signal,
                        ...(signal.tenant !== undefined && { tenant: signal.tenant }),
                        data: signal,
                      }),
                    ),
                  ),
                backlog: () => log.backlogByTenant(),
              },
              {
                windowSeconds: config.EXECUTOR_HEALTH_WINDOW_SECONDS,
                throttleThreshold: config.EXECUTOR_THROTTLE_SIGNAL_COUNT,
                intervalMs: config.EXECUTOR_HEALTH_INTERVAL_MS,
                // On-demand discovery still promises one a day, so a tenant never scanned is noticed.
                discoveryIntervalSeconds: (config.EXECUTOR_DISCOVERY_INTERVAL_MINUTES || 24 * 60) * 60,
              },
              context.logger,
            );
            return health.reporter;
          },
          inject: [SERVICE_DATABASE, Outbox, CommandLogRepository],
        },
        {
          provide: Discovery,
          useFactory: (db: Database, snapshots: MailboxSnapshotRepository, outbox: Outbox) =>
            new Discovery(db, snapshots, clients, outbox, context.logger, config.EXECUTOR_PAGE_SIZE, (scan) =>
              health.reporter?.discoveryCompleted(scan),
            ),
          inject: [SERVICE_DATABASE, MailboxSnapshotRepository, Outbox],
        },
        {
          provide: ConfigSync,
          useFactory: (db: Database, outbox: Outbox) =>
            new ConfigSync(db, new ConfigSnapshotRepository(db), clients, outbox, context.logger),
          inject: [SERVICE_DATABASE, Outbox],
        },
        {
          provide: TenantStatus,
          useFactory: (db: Database, reporter: HealthReporter, discovery: Discovery) =>
            new TenantStatus(clients, reporter, discovery, new TenantStatusQueries(db)),
          inject: [SERVICE_DATABASE, HealthReporter, Discovery],
        },
        ExecutorLifecycle,
      ],
    };
  }
}

/** The vault's connections (peer `cert-vault` or EXECUTOR_VAULT_URL), falling back to the configured one. */
function tenantClients(
  context: ServiceContext,
  config: ExecutorConfig,
  http: HttpTransport,
  factory: ExchangeClientFactory,
): TenantClients {
  const configured = config.configuredConnection
    ? new ConfiguredTenantClients(config.configuredConnection, factory)
    : undefined;
  const vaultUrl = config.EXECUTOR_VAULT_URL ?? context.peers['cert-vault'];
  // The executor's own identity (a short-lived token signed with its key), not a shared API token:
  // only it may ask the vault for client assertions.
  const authorization = () => context.credentials.authorizationFor('cert-vault');
  const vault = vaultUrl ? new VaultTenantClients(vaultUrl, authorization, http, factory) : undefined;
  if (vault && configured) return new FallbackTenantClients(vault, configured);
  const only = vault ?? configured;
  if (only) return only;
  return {
    clientFor: (tenant) => Promise.reject(noConnection(tenant)),
    describe: (tenant) => Promise.reject(noConnection(tenant)),
  };
}

function noConnection(tenant: string): Error {
  return new ExecutorError(
    ExecutorErrorCode.NoTenantConnection,
    `no tenant connection for ${tenant}: configure EXCHANGE_APP_ID… or a cert-vault`,
  );
}
