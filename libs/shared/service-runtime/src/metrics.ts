import { Counter, Histogram, register } from 'prom-client';
import type { DeliveryObserver } from '@easgate/messaging';

function counter(): Counter<'service' | 'topic' | 'outcome' | 'code'> {
  return (
    (register.getSingleMetric('easgate_messages_handled_total') as Counter<
      'service' | 'topic' | 'outcome' | 'code'
    >) ??
    new Counter({
      name: 'easgate_messages_handled_total',
      help: 'Messages handled by a service, by outcome (processed, dead-lettered)',
      labelNames: ['service', 'topic', 'outcome', 'code'],
    })
  );
}

function histogram(): Histogram<'service' | 'topic'> {
  return (
    (register.getSingleMetric('easgate_message_handling_seconds') as Histogram<'service' | 'topic'>) ??
    new Histogram({
      name: 'easgate_message_handling_seconds',
      help: 'Time from receipt to handled (retries included)',
      labelNames: ['service', 'topic'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    })
  );
}

export function deliveryMetrics(service: string): DeliveryObserver {
  const handled = counter();
  const duration = histogram();
  return ({ topic, outcome, code, durationMs }) => {
    handled.inc({ service, topic, outcome, code: code ?? '' });
    duration.observe({ service, topic }, durationMs / 1000);
  };
}
