import 'reflect-metadata';
import { certVaultDefinition } from '@easgate/cert-vault';
import { runServiceStandalone } from '@easgate/service-runtime';

// Thin standalone entry: the same service `easgate start` runs, configured from the environment.
runServiceStandalone(certVaultDefinition);
