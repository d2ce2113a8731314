import type { paths } from '../api/exchange-executor';

/** The executor's answer to `GET /v1/tenants/{tenant}/status` (typed from its OpenAPI document). */
export type ExchangeStatus =
  paths['/v1/tenants/{tenant}/status']['get']['responses'][200]['content']['application/json'];

/** How a status row is coloured: fine, worth a look, or wrong now. */
export type StatusLevel = 'ok' | 'warning' | 'critical';

export const STATUS_COLOURS: Record<StatusLevel, string> = {
  ok: '#1b5e20',
  warning: '#8a4b00',
  critical: '#b71c1c',
};

export interface StatusRow {
  key: 'last-call' | 'discovery' | 'inventory' | 'throttling' | 'circuit' | 'backlog';
  label: string;
  text: string;
  level: StatusLevel;
}

/** `2026-01-01 12:00:00 UTC` */
export function utc(at: string): string {
  return `${at.replace('T', ' ').slice(0, 19)} UTC`;
}

/** `45 s`, `12 min`, `3 h`, `2 days`: how long ago, roughly. */
export function ago(seconds: number): string {
  if (seconds < 90) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The Exchange activity of a tenant, row by row, as the status screen shows it: the last successful
 * Exchange call, the discovery and the inventory it left, throttling, the circuit breaker and the
 * executor's backlog of commands.
 */
export function exchangeStatusRows(status: ExchangeStatus, now: Date): StatusRow[] {
  const secondsSince = (at: string) => (now.getTime() - Date.parse(at)) / 1000;
  const call = status.lastSuccessfulCall;
  const scan = status.discovery.scan;
  const inventory = status.discovery.inventory;
  const throttling = status.throttling;
  const circuit = status.circuit;
  const backlog = status.backlog;
  const scanText = (): string => {
    if (!scan) return 'no scan since the executor started';
    const counts = `${plural(scan.mailboxes, 'mailbox', 'mailboxes')}, ${plural(scan.devices, 'device')}, ${plural(scan.pages, 'page')}`;
    switch (scan.state) {
      case 'running':
        return `Running since ${utc(scan.startedAt)}: ${counts} so far`;
      case 'completed':
        return `Completed ${utc(scan.finishedAt ?? scan.startedAt)}: ${counts}`;
      case 'failed':
        return `Failed ${utc(scan.finishedAt ?? scan.startedAt)}: ${scan.error?.code ?? 'error'} ${scan.error?.message ?? ''}`.trim();
    }
  };
  return [
    {
      key: 'last-call',
      label: 'Last successful Exchange call',
      text: call
        ? `${utc(call.at)} (${ago(secondsSince(call.at))} ago, ${call.source === 'command' ? `command ${call.what}` : call.what})`
        : 'none seen yet',
      level: call ? 'ok' : 'warning',
    },
    {
      key: 'discovery',
      label: 'Discovery',
      text: scanText(),
      level: scan?.state === 'failed' ? 'critical' : 'ok',
    },
    {
      key: 'inventory',
      label: 'Inventory',
      text:
        inventory.mailboxes === 0
          ? 'no mailbox inventoried yet'
          : `${plural(inventory.mailboxes, 'mailbox', 'mailboxes')}${inventory.lastObservedAt ? `, last observed ${utc(inventory.lastObservedAt)}` : ''}`,
      level: inventory.mailboxes === 0 ? 'warning' : 'ok',
    },
    {
      key: 'throttling',
      label: 'Throttling',
      text: throttling.active
        ? `Throttled: ${plural(throttling.throttledRequests, 'answer')} 429 in the last ${throttling.windowSeconds} s${throttling.retryAfterSeconds !== undefined ? `, Retry-After ${throttling.retryAfterSeconds} s` : ''}`
        : throttling.throttledRequests > 0
          ? `${plural(throttling.throttledRequests, 'answer')} 429 in the last ${throttling.windowSeconds} s`
          : `not throttled (last ${throttling.windowSeconds} s)`,
      level: throttling.active ? 'warning' : 'ok',
    },
    {
      key: 'circuit',
      label: 'Circuit breaker',
      text:
        circuit.state === 'closed'
          ? 'Closed: calls go through'
          : `${circuit.state === 'open' ? 'Open: calls paused' : 'Half-open: one probe call'}${circuit.since ? ` since ${utc(circuit.since)}` : ''}${circuit.reason ? ` (${circuit.reason})` : ''}`,
      level: circuit.state === 'closed' ? 'ok' : circuit.state === 'open' ? 'critical' : 'warning',
    },
    {
      key: 'backlog',
      label: 'Executor backlog',
      text:
        backlog.depth === 0
          ? 'no command waiting'
          : `${plural(backlog.depth, 'command')} waiting, the oldest for ${ago(backlog.oldestAgeSeconds)}`,
      level: backlog.depth === 0 ? 'ok' : backlog.oldestAgeSeconds > 300 ? 'critical' : 'warning',
    },
  ];
}
