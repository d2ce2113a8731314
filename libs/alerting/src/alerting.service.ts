import type { ServiceDefinition } from '@easgate/service-runtime';
import { AlertingModule } from './alerting.module';
import { alertingHttpStatusOf } from './domain/errors';
import { AlertingTables1764200000000 } from './infra/alerting-tables.migration';
import { alertingEntities } from './infra/entities';

/** The alerting service, as its app and `easgate start` load it. */
export const alertingService: ServiceDefinition = {
  name: 'alerting',
  defaultPort: 8084,
  entities: alertingEntities,
  migrations: [AlertingTables1764200000000],
  module: (context) => AlertingModule.forService(context),
  httpStatusOf: alertingHttpStatusOf,
  openApi: {
    title: 'easgate alerting',
    description:
      'Deduplicated alerts from certificate lifecycle, Exchange results, health signals and dead letters; subscriptions and deliveries.',
  },
};
