import type { ServiceDefinition } from '@easgate/service-runtime';
import { httpStatusOfTranslatorError } from './domain';
import { MdmEventsLimits } from './http/mdm-events.request';
import { translatorEntities } from './infra/entities';
import { TranslatorCommandResult1764200000001 } from './infra/translator-command-result.migration';
import { DeviceListColumns1764900000000 } from './infra/device-list.migration';
import { TranslatorTables1764200000000 } from './infra/translator-tables.migration';
import { PolicyTranslatorModule } from './policy-translator.module';

/** The policy translator: MDM compliance events in, the smallest set of Exchange commands out. */
export const policyTranslatorService: ServiceDefinition = {
  name: 'policy-translator',
  defaultPort: 8083,
  entities: translatorEntities,
  migrations: [
    TranslatorTables1764200000000,
    TranslatorCommandResult1764200000001,
    DeviceListColumns1764900000000,
  ],
  module: (context) => PolicyTranslatorModule.forService(context),
  httpStatusOf: httpStatusOfTranslatorError,
  /** The runtime's JSON parser enforces the limit the ingestion route documents for application/json. */
  bodyLimit: `${MdmEventsLimits.maxJsonBytes}b`,
  openApi: {
    title: 'easgate policy-translator',
    description:
      'Per-tenant rules (versioned), device desired state, the why (explain) and what-if (preview) APIs, and MDM event intake.',
  },
};
