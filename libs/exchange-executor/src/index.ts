export * from './infra/exchange-client';
