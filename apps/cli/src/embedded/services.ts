import { alertingService } from '@easgate/alerting';
import type { ServiceDefinition } from '@easgate/service-runtime';

/**
 * The services `easgate start` runs, in start order (a service's peers start before it).
 * Each service issue adds its definition here.
 */
export const embeddedServices: ServiceDefinition[] = [alertingService];
