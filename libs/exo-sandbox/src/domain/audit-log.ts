export type AuditKind = 'token' | 'cmdlet' | 'graph';

export interface AuditEntry {
  seq: number;
  at: string;
  kind: AuditKind;
  tenantId: string | undefined;
  appId: string | undefined;
  /** Cmdlet name, `token` or the Graph action. */
  action: string;
  /** Cmdlet parameters as sent (never assertions, secrets or tokens). */
  parameters?: Record<string, unknown>;
  status: number;
  /** `ok`, an AADSTS code, an OData error code, `throttled`, `fault:<kind>`. */
  outcome: string;
  page?: number;
  resultCount?: number;
}

/** Every token request and cmdlet call, newest last; bounded so a long run cannot exhaust memory. */
export class AuditLog {
  private entries: AuditEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 100_000) {}

  record(entry: Omit<AuditEntry, 'seq'>): AuditEntry {
    const full = { ...entry, seq: ++this.seq };
    this.entries.push(full);
    if (this.entries.length > this.capacity)
      this.entries = this.entries.slice(-Math.floor(this.capacity / 2));
    return full;
  }

  query(filter: { since?: number; kind?: AuditKind; appId?: string; action?: string } = {}): AuditEntry[] {
    const action = filter.action?.toLowerCase();
    return this.entries.filter(
      (e) =>
        (filter.since === undefined || e.seq > filter.since) &&
        (filter.kind === undefined || e.kind === filter.kind) &&
        (filter.appId === undefined || e.appId === filter.appId.toLowerCase()) &&
        (action === undefined || e.action.toLowerCase() === action),
    );
  }

  clear(): void {
    this.entries = [];
  }
}
