import { ServiceHealthV1 } from '@easgate/contracts';
import type { Logger } from '@easgate/messaging';
import { type CircuitState, ExchangeErrorCode, type TenantRequestOutcome } from '../infra/exchange-client';

export const EXECUTOR_SERVICE = 'exchange-executor';
export const COMMAND_QUEUE = 'exchange-commands';

const THROTTLED = new Set<string>([ExchangeErrorCode.Throttled, ExchangeErrorCode.TokenThrottled]);

export interface HealthReporterOptions {
  /** The throttling window: 429s counted over it, and the cadence of `active` re-publication. */
  windowSeconds: number;
  /** Throttled responses in the window that make throttling "sustained". */
  throttleThreshold: number;
  /** How often the backlog is measured and throttling re-evaluated. */
  intervalMs: number;
  /** The discovery schedule the signal promises (alerting fires when it is overdue). */
  discoveryIntervalSeconds: number;
}

export interface TenantBacklog {
  tenant: string;
  depth: number;
  oldestReceivedAt: string;
}

export interface HealthPorts {
  /** Publishes one signal through the outbox (Kafka key: the tenant or the service). */
  publish(key: string, signal: ServiceHealthV1): Promise<void>;
  /** Pending commands by tenant. */
  backlog(): Promise<TenantBacklog[]>;
  now?: () => number;
}

/** What this process last saw of a tenant's Exchange calls (the status endpoint's live half). */
export interface TenantHealthView {
  /** The last admin API request that succeeded, of any caller (commands, discovery, sync, tests). */
  lastSuccessfulRequest?: { at: string; cmdlet: string };
  throttling: {
    active: boolean;
    /** Throttled answers (429) in the window. */
    throttledRequests: number;
    windowSeconds: number;
    retryAfterSeconds?: number;
  };
  /** The tenant's circuit breaker as last reported (closed until something opened it). */
  circuit: { state: CircuitState; since?: string; reason?: string };
}

interface Throttling {
  hits: number[];
  active: boolean;
  publishedAt: number;
  retryAfterSeconds?: number;
}

/**
 * Turns what the executor sees into the ServiceHealth signals the alerting service consumes:
 * sustained throttling per tenant, circuit changes, the command backlog and finished discoveries.
 * Signals are published in the order they were observed (one chain), never blocking the caller.
 */
export class HealthReporter {
  private readonly throttling = new Map<string, Throttling>();
  private readonly backlogged = new Set<string>();
  private readonly circuits = new Map<string, TenantHealthView['circuit']>();
  private readonly lastSuccess = new Map<string, { at: number; cmdlet: string }>();
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(
    private readonly ports: HealthPorts,
    private readonly options: HealthReporterOptions,
    private readonly logger: Logger,
  ) {
    this.now = ports.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => this.enqueue(() => this.tick()), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops measuring and waits for what was observed to be published. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.chain;
  }

  requestObserved(request: TenantRequestOutcome): void {
    if (request.outcome === 'ok') {
      this.lastSuccess.set(request.tenant.toLowerCase(), { at: this.now(), cmdlet: request.cmdlet });
      return;
    }
    if (!THROTTLED.has(request.outcome)) return;
    const now = this.now();
    const state = this.throttling.get(request.tenant) ?? { hits: [], active: false, publishedAt: 0 };
    this.throttling.set(request.tenant, state);
    state.hits.push(now);
    if (request.retryAfterSeconds !== undefined) state.retryAfterSeconds = request.retryAfterSeconds;
    this.prune(state, now);
    if (state.hits.length >= this.options.throttleThreshold && !state.active) {
      state.active = true;
      state.publishedAt = now;
      const signal = this.throttlingSignal(request.tenant, state);
      this.enqueue(() => this.publish(request.tenant, signal));
    }
  }

  circuitChanged(tenant: string, state: CircuitState, reason?: string): void {
    const observedAt = new Date(this.now()).toISOString();
    this.circuits.set(tenant.toLowerCase(), {
      state,
      since: observedAt,
      ...(reason !== undefined && { reason }),
    });
    this.enqueue(() =>
      this.publish(tenant, {
        signal: 'circuit',
        service: EXECUTOR_SERVICE,
        tenant,
        state,
        ...(reason !== undefined && { reason }),
        observedAt,
      }),
    );
  }

  discoveryCompleted(scan: { tenant: string; scanId: string; mailboxes: number; devices: number }): void {
    const completedAt = new Date(this.now()).toISOString();
    this.enqueue(() =>
      this.publish(scan.tenant, {
        signal: 'discovery-completed',
        service: EXECUTOR_SERVICE,
        tenant: scan.tenant,
        scanId: scan.scanId,
        intervalSeconds: this.options.discoveryIntervalSeconds,
        mailboxes: scan.mailboxes,
        devices: scan.devices,
        completedAt,
      }),
    );
  }

  /** One measurement: backlog per tenant (and its return to zero), throttling still on or over. */
  async tick(): Promise<void> {
    const now = this.now();
    const observedAt = new Date(now).toISOString();
    const rows = await this.ports.backlog();
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.tenant);
      this.backlogged.add(row.tenant);
      await this.publish(row.tenant, {
        signal: 'backlog',
        service: EXECUTOR_SERVICE,
        tenant: row.tenant,
        queue: COMMAND_QUEUE,
        depth: row.depth,
        oldestAgeSeconds: Math.max(0, (now - Date.parse(row.oldestReceivedAt)) / 1000),
        observedAt,
      });
    }
    for (const tenant of [...this.backlogged].filter((t) => !seen.has(t))) {
      this.backlogged.delete(tenant);
      await this.publish(tenant, {
        signal: 'backlog',
        service: EXECUTOR_SERVICE,
        tenant,
        queue: COMMAND_QUEUE,
        depth: 0,
        oldestAgeSeconds: 0,
        observedAt,
      });
    }
    for (const [tenant, state] of this.throttling) {
      this.prune(state, now);
      if (!state.active) {
        if (state.hits.length === 0) this.throttling.delete(tenant);
        continue;
      }
      if (state.hits.length === 0) {
        state.active = false;
        await this.publish(tenant, this.throttlingSignal(tenant, state));
        this.throttling.delete(tenant);
      } else if (now - state.publishedAt >= this.options.windowSeconds * 1000) {
        state.publishedAt = now;
        await this.publish(tenant, this.throttlingSignal(tenant, state));
      }
    }
  }

  /**
   * What this process saw of a tenant known by any of `tenants` (its id and domain: callers name a
   * tenant either way). Read-only: throttled answers out of the window are not counted, not removed.
   */
  tenantView(tenants: readonly string[]): TenantHealthView {
    const keys = new Set(tenants.map((t) => t.toLowerCase()));
    const now = this.now();
    const since = now - this.options.windowSeconds * 1000;
    let success: { at: number; cmdlet: string } | undefined;
    let circuit: TenantHealthView['circuit'] | undefined;
    let hits = 0;
    let active = false;
    let retryAfterSeconds: number | undefined;
    for (const key of keys) {
      const seen = this.lastSuccess.get(key);
      if (seen && (!success || seen.at > success.at)) success = seen;
      const reported = this.circuits.get(key);
      if (reported && (!circuit || (reported.since ?? '') > (circuit.since ?? ''))) circuit = reported;
    }
    for (const [tenant, state] of this.throttling) {
      if (!keys.has(tenant.toLowerCase())) continue;
      hits += state.hits.filter((at) => at > since).length;
      active ||= state.active;
      retryAfterSeconds ??= state.retryAfterSeconds;
    }
    return {
      ...(success && {
        lastSuccessfulRequest: { at: new Date(success.at).toISOString(), cmdlet: success.cmdlet },
      }),
      throttling: {
        // Sustained over the names together (a tenant's id and domain are one tenant's budget).
        active: active || hits >= this.options.throttleThreshold,
        throttledRequests: hits,
        windowSeconds: this.options.windowSeconds,
        ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
      },
      circuit: circuit ?? { state: 'closed' },
    };
  }

  private prune(state: Throttling, now: number): void {
    const since = now - this.options.windowSeconds * 1000;
    while (state.hits.length > 0 && state.hits[0] <= since) state.hits.shift();
  }

  /** Taken when observed: later hits must not change what this signal says. */
  private throttlingSignal(tenant: string, state: Throttling): ServiceHealthV1 {
    return {
      signal: 'throttling',
      service: EXECUTOR_SERVICE,
      tenant,
      active: state.active,
      throttledRequests: state.hits.length,
      windowSeconds: this.options.windowSeconds,
      ...(state.retryAfterSeconds !== undefined && { retryAfterSeconds: state.retryAfterSeconds }),
      observedAt: new Date(this.now()).toISOString(),
    };
  }

  private publish(key: string, signal: ServiceHealthV1): Promise<void> {
    return this.ports.publish(key, ServiceHealthV1.parse(signal));
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((err: unknown) => {
      // A lost signal is re-measured on the next tick (backlog, throttling); circuit news is logged.
      this.logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'health signal not published',
      );
    });
  }
}
