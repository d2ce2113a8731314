export interface ThrottlePolicy {
  /** Cmdlet calls per second per app (token bucket refill rate and burst size); 0 = unlimited. */
  perAppPerSecond: number;
  /** Requests in flight per tenant; 0 = unlimited. */
  tenantConcurrency: number;
}

export type ThrottleDecision =
  { ok: true; release: () => void } | { ok: false; retryAfterSeconds: number; scope: 'app' | 'tenant' };

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * Exchange Online throttling, simulated: a token bucket per app and a concurrency limit per tenant.
 * Real per-app limits for app-only REST cmdlets are UNCONFIRMED (none published), hence configurable.
 */
export class Throttle {
  private readonly buckets = new Map<string, Bucket>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly policy: () => ThrottlePolicy,
    private readonly nowMs: () => number,
  ) {}

  acquire(tenantId: string, appId: string): ThrottleDecision {
    const { perAppPerSecond, tenantConcurrency } = this.policy();
    if (tenantConcurrency > 0 && (this.inFlight.get(tenantId) ?? 0) >= tenantConcurrency) {
      return { ok: false, retryAfterSeconds: 1, scope: 'tenant' };
    }
    if (perAppPerSecond > 0) {
      const now = this.nowMs();
      const bucket = this.buckets.get(appId) ?? { tokens: perAppPerSecond, updatedMs: now };
      bucket.tokens = Math.min(
        perAppPerSecond,
        bucket.tokens + ((now - bucket.updatedMs) / 1000) * perAppPerSecond,
      );
      bucket.updatedMs = now;
      this.buckets.set(appId, bucket);
      if (bucket.tokens < 1) {
        // Fractional seconds, as Exchange may send (reference §3.6); at least 0.1 s.
        const wait = Math.max(0.1, (1 - bucket.tokens) / perAppPerSecond);
        return { ok: false, retryAfterSeconds: Math.ceil(wait * 10) / 10, scope: 'app' };
      }
      bucket.tokens -= 1;
    }
    this.inFlight.set(tenantId, (this.inFlight.get(tenantId) ?? 0) + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight.set(tenantId, (this.inFlight.get(tenantId) ?? 1) - 1);
      },
    };
  }

  reset(): void {
    this.buckets.clear();
  }
}
