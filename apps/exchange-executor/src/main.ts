import 'reflect-metadata';
import { exchangeExecutorDefinition } from '@easgate/exchange-executor';
import { runServiceStandalone } from '@easgate/service-runtime';

// Thin standalone entry: the same service `easgate start` runs, configured from the environment
// (EXCHANGE_EXECUTOR_PORT, CERT_VAULT_URL for the vault peer, see README).
runServiceStandalone(exchangeExecutorDefinition);
