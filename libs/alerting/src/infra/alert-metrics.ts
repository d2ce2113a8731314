import { Counter, Gauge, register } from 'prom-client';

type FiringSource = () => Promise<{ kind: string; severity: string; count: number }[]>;

let firingSource: FiringSource | undefined;

function singleton<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/** prom-client metrics of the alerting service (registered once per process). */
export function alertMetrics(source: FiringSource) {
  // The latest started instance answers the gauge (one per process in production).
  firingSource = source;
  const firing = singleton(
    'easgate_alerts_firing',
    () =>
      new Gauge({
        name: 'easgate_alerts_firing',
        help: 'Alerts firing now, by kind and severity',
        labelNames: ['kind', 'severity'],
        async collect() {
          if (!firingSource) return;
          this.reset();
          for (const row of await firingSource())
            this.set({ kind: row.kind, severity: row.severity }, row.count);
        },
      }),
  );
  const transitions = singleton(
    'easgate_alert_transitions_total',
    () =>
      new Counter({
        name: 'easgate_alert_transitions_total',
        help: 'Alert state changes published, by kind, severity and transition',
        labelNames: ['kind', 'severity', 'transition'],
      }),
  );
  const deliveries = singleton(
    'easgate_alert_deliveries_total',
    () =>
      new Counter({
        name: 'easgate_alert_deliveries_total',
        help: 'Alert delivery attempts, by destination type and outcome',
        labelNames: ['destination', 'outcome'],
      }),
  );
  return { firing, transitions, deliveries };
}

export type AlertMetrics = ReturnType<typeof alertMetrics>;
