export * from './infra/exchange-client';
export * from './exchange-executor.service';
export { type ExchangeExecutorOptions } from './exchange-executor.module';
export { parseExecutorConfig, type ExecutorConfig } from './config';
export {
  planMailbox,
  applyUpdate,
  casMailboxParameters,
  type MailboxLists,
  type CasMailboxUpdate,
} from './domain/mailbox-plan';
