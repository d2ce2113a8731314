import type { ServiceDefinition } from '@easgate/service-runtime';
import { httpStatusOfTranslatorError } from './domain';
import { translatorEntities } from './infra/entities';
import { DeviceListColumns1764900000000 } from './infra/device-list.migration';
import { TranslatorTables1764200000000 } from './infra/translator-tables.migration';
import { PolicyTranslatorModule } from './policy-translator.module';

/** The policy translator: MDM compliance events in, the smallest set of Exchange commands out. */
export const policyTranslatorService: ServiceDefinition = {
  name: 'policy-translator',
  defaultPort: 8083,
  entities: translatorEntities,
  migrations: [TranslatorTables1764200000000, DeviceListColumns1764900000000],
  module: (context) => PolicyTranslatorModule.forService(context),
  httpStatusOf: httpStatusOfTranslatorError,
  openApi: {
    title: 'easgate policy-translator',
    description:
      'Per-tenant rules (versioned), device desired state, the why (explain) and what-if (preview) APIs, and MDM event intake.',
  },
};
