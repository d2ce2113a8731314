import 'reflect-metadata';
import { alertingService } from '@easgate/alerting';
import { runServiceStandalone } from '@easgate/service-runtime';

// Thin standalone entry: configuration from the environment, then the same service `easgate start` runs.
runServiceStandalone(alertingService);
