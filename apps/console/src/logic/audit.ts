/** What the audit screen's filter form holds (strings, as the inputs give them). */
export interface AuditFilters {
  connectionId: string;
  actor: string;
  action: string;
  outcome: string;
  /** `datetime-local` values (the browser's local time), or empty. */
  from: string;
  to: string;
}

export const emptyAuditFilters: AuditFilters = {
  connectionId: '',
  actor: '',
  action: '',
  outcome: '',
  from: '',
  to: '',
};

export interface AuditQuery {
  order: 'desc';
  limit: number;
  connectionId?: string;
  actor?: string;
  action?: string;
  outcome?: 'success' | 'failure';
  from?: string;
  to?: string;
  beforeSeq?: number;
}

function instant(local: string): string | undefined {
  if (local.trim() === '') return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** A plain sentence for what is wrong with the filters, or undefined when they can be sent. */
export function auditFiltersProblem(filters: AuditFilters): string | undefined {
  const from = instant(filters.from);
  const to = instant(filters.to);
  if (filters.from.trim() !== '' && !from) return '"From" is not a date and time.';
  if (filters.to.trim() !== '' && !to) return '"To" is not a date and time.';
  if (from && to && from >= to) return '"From" must be before "To".';
  return undefined;
}

/** The `GET /v1/audit` query of the filters: newest first, `limit` rows older than `beforeSeq`. */
export function auditQuery(filters: AuditFilters, limit: number, beforeSeq?: number): AuditQuery {
  const from = instant(filters.from);
  const to = instant(filters.to);
  return {
    order: 'desc',
    limit,
    ...(filters.connectionId && { connectionId: filters.connectionId }),
    ...(filters.actor.trim() && { actor: filters.actor.trim() }),
    ...(filters.action.trim() && { action: filters.action.trim() }),
    ...((filters.outcome === 'success' || filters.outcome === 'failure') && { outcome: filters.outcome }),
    ...(from && { from }),
    ...(to && { to }),
    ...(beforeSeq !== undefined && { beforeSeq }),
  };
}

export interface ChainVerification {
  valid: boolean;
  checked: number;
  brokenAt?: number;
  problem?: string;
}

/** The verdict of "Verify chain" in words: intact, or broken at entry N and why. */
export function chainVerdict(v: ChainVerification): { intact: boolean; title: string; detail: string } {
  if (v.valid)
    return {
      intact: true,
      title: 'The audit chain is intact',
      detail: `${v.checked} ${v.checked === 1 ? 'entry' : 'entries'} checked: none was changed, removed or reordered.`,
    };
  return {
    intact: false,
    title: `The audit chain is broken at entry ${v.brokenAt ?? '?'}`,
    detail: `${v.problem ?? 'The chain does not verify.'} (${v.checked} entries read.) Entries from ${v.brokenAt ?? 'there'} on cannot be trusted; restore them from a backup or an exported checkpoint.`,
  };
}
