import { Counter, Histogram, register } from 'prom-client';

type Labels = 'cmdlet' | 'outcome';

/** Prometheus series of the admin API calls (registered once per process). */
export function exchangeRequestMetrics(): (request: {
  cmdlet: string;
  outcome: string;
  durationMs: number;
}) => void {
  const requests =
    (register.getSingleMetric('easgate_exchange_requests_total') as Counter<Labels> | undefined) ??
    new Counter({
      name: 'easgate_exchange_requests_total',
      help: 'Exchange admin API requests by cmdlet and outcome (ok or the error code, e.g. EXO_THROTTLED)',
      labelNames: ['cmdlet', 'outcome'],
    });
  const duration =
    (register.getSingleMetric('easgate_exchange_request_seconds') as Histogram<'cmdlet'> | undefined) ??
    new Histogram({
      name: 'easgate_exchange_request_seconds',
      help: 'Exchange admin API request time, tenant guard waits included',
      labelNames: ['cmdlet'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60],
    });
  return ({ cmdlet, outcome, durationMs }) => {
    requests.inc({ cmdlet, outcome });
    duration.observe({ cmdlet }, durationMs / 1000);
  };
}
