/** A fault the next matching request(s) get instead of a normal answer. */
export type FaultKind = 'http-429' | 'http-503' | 'http-504' | 'timeout' | 'reset';
export type FaultTarget = 'token' | 'adminapi' | 'graph' | 'any';

export interface FaultSpec {
  kind: FaultKind;
  target: FaultTarget;
  /** Only for adminapi: restrict to one cmdlet (case-insensitive). */
  cmdlet?: string;
  /** How many requests get the fault (default 1). */
  count?: number;
  /** Retry-After seconds sent with 429/503 (default 1). */
  retryAfterSeconds?: number;
  /** For `timeout`: how long the request hangs before the socket is dropped (default 30 s). */
  holdMs?: number;
}

interface ArmedFault extends Required<Omit<FaultSpec, 'cmdlet'>> {
  cmdlet: string | undefined;
  id: number;
}

export class FaultInjector {
  private armed: ArmedFault[] = [];
  private nextId = 1;

  inject(spec: FaultSpec): number {
    const id = this.nextId++;
    this.armed.push({
      kind: spec.kind,
      target: spec.target,
      cmdlet: spec.cmdlet?.toLowerCase(),
      count: spec.count ?? 1,
      retryAfterSeconds: spec.retryAfterSeconds ?? 1,
      holdMs: spec.holdMs ?? 30_000,
      id,
    });
    return id;
  }

  /** Consumes one matching fault, if any. */
  take(target: Exclude<FaultTarget, 'any'>, cmdlet?: string): ArmedFault | undefined {
    const lower = cmdlet?.toLowerCase();
    const fault = this.armed.find(
      (f) => (f.target === 'any' || f.target === target) && (f.cmdlet === undefined || f.cmdlet === lower),
    );
    if (!fault) return undefined;
    fault.count--;
    if (fault.count <= 0) this.armed = this.armed.filter((f) => f !== fault);
    return fault;
  }

  list(): readonly ArmedFault[] {
    return this.armed;
  }

  clear(): void {
    this.armed = [];
  }
}
