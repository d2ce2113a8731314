import { certVaultDefinition } from '@easgate/cert-vault';
import { alertingService } from '@easgate/alerting';
import { exchangeExecutorDefinition } from '@easgate/exchange-executor';
import { policyTranslatorService } from '@easgate/policy-translator';
import type { ServiceDefinition } from '@easgate/service-runtime';

/**
 * The services `easgate start` runs, in start order (a service's peers start before it).
 * Each service issue adds its definition here.
 */
export const embeddedServices: ServiceDefinition[] = [
  certVaultDefinition,
  exchangeExecutorDefinition,
  policyTranslatorService,
  alertingService,
];
