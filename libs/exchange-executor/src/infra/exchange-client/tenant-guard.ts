import { ExchangeError, ExchangeErrorCode } from './exchange-error';

export interface TenantGuardOptions {
  /** Requests in flight at once for one tenant. */
  maxConcurrency: number;
  /** Requests per second (token bucket refill); 0 = unlimited. */
  ratePerSecond: number;
  /** Bucket size: a burst allowed after a quiet period. */
  burst: number;
  /** Consecutive failures (5xx, timeouts, network, exhausted throttling) that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before letting one probe through. */
  openMs: number;
}

export const DEFAULT_TENANT_GUARD: TenantGuardOptions = {
  // No limits are published for app-only REST cmdlets (reference §3.6): conservative defaults.
  maxConcurrency: 4,
  ratePerSecond: 20,
  burst: 20,
  failureThreshold: 5,
  openMs: 30_000,
};

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * One tenant's share of Exchange: a concurrency limit, a rate budget and a circuit breaker, so a
 * broken or throttled tenant slows only itself.
 */
export class TenantGuard {
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private tokens: number;
  private refilledAt: number;
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;
  /** Server-imposed pause (Retry-After) shared by every caller of the tenant. */
  private pausedUntil = 0;

  constructor(
    readonly options: TenantGuardOptions = DEFAULT_TENANT_GUARD,
    private readonly clock: Clock = systemClock,
    /** Told when the circuit opens, lets a probe through (half-open) or closes again. */
    private readonly onCircuitChange?: (state: CircuitState, reason?: string) => void,
  ) {
    this.tokens = options.burst;
    this.refilledAt = clock.now();
  }

  get circuit(): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return this.clock.now() - this.openedAt >= this.options.openMs ? 'half-open' : 'open';
  }

  /** Runs one request inside the tenant's limits. Fails fast while the circuit is open. */
  async run<T>(work: () => Promise<T>, countsAsFailure: (err: unknown) => boolean): Promise<T> {
    const probe = this.admit();
    await this.acquireSlot();
    try {
      await this.takeRateToken();
      const result = await work();
      this.failures = 0;
      this.close();
      return result;
    } catch (err) {
      if (countsAsFailure(err)) this.recordFailure(err);
      else if (probe) this.close();
      throw err;
    } finally {
      if (probe) this.probing = false;
      this.releaseSlot();
    }
  }

  /** Everyone waits at least until then (a Retry-After seen by one caller holds for all). */
  pauseUntil(at: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, at);
  }

  private admit(): boolean {
    const state = this.circuit;
    if (state === 'closed') return false;
    if (state === 'half-open' && !this.probing) {
      this.probing = true;
      this.onCircuitChange?.('half-open');
      return true;
    }
    const remainingMs = Math.max(0, this.options.openMs - (this.clock.now() - (this.openedAt ?? 0)));
    throw new ExchangeError(
      ExchangeErrorCode.CircuitOpen,
      `Calls to this tenant are paused after ${this.failures} consecutive failures; retrying in ${Math.ceil(remainingMs / 1000)} s.`,
      { retryAfterSeconds: remainingMs / 1000 },
    );
  }

  private recordFailure(err: unknown): void {
    this.failures++;
    if (this.failures < this.options.failureThreshold && this.openedAt === undefined) return;
    const wasOpen = this.openedAt !== undefined;
    this.openedAt = this.clock.now();
    // A failed probe re-opens it: that is news too (the half-open state was announced).
    const reason = `${this.failures} consecutive failures, last: ${err instanceof Error ? err.message : String(err)}`;
    if (!wasOpen || this.probing) this.onCircuitChange?.('open', reason.slice(0, 2000));
  }

  private close(): void {
    if (this.openedAt === undefined) return;
    this.openedAt = undefined;
    this.onCircuitChange?.('closed');
  }

  private async acquireSlot(): Promise<void> {
    if (this.inFlight < this.options.maxConcurrency) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.inFlight--;
  }

  private async takeRateToken(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (now < this.pausedUntil) {
        await this.clock.sleep(this.pausedUntil - now);
        continue;
      }
      if (this.options.ratePerSecond <= 0) return;
      this.tokens = Math.min(
        this.options.burst,
        this.tokens + ((now - this.refilledAt) / 1000) * this.options.ratePerSecond,
      );
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.options.ratePerSecond) * 1000));
    }
  }
}
