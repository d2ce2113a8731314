import 'reflect-metadata';
import { policyTranslatorService } from '@easgate/policy-translator';
import { runServiceStandalone } from '@easgate/service-runtime';

// Thin standalone entry: configuration from the environment, then the same service `easgate start` runs.
runServiceStandalone(policyTranslatorService);
