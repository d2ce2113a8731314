import type { ServiceDefinition } from '@easgate/service-runtime';
import { type ExchangeExecutorOptions, ExchangeExecutorModule } from './exchange-executor.module';
import { ExchangeErrorCode } from './infra/exchange-client';
import { CommandLogEntity } from './infra/persistence/command-log.entity';
import { ConfigSnapshotEntity } from './infra/persistence/config-snapshot.entity';
import { ExecutorConfigSnapshot1764300000001 } from './infra/persistence/config-snapshot.migration';
import { ExecutorTables1764300000000 } from './infra/persistence/executor-tables.migration';
import { MailboxSnapshotEntity } from './infra/persistence/mailbox-snapshot.entity';

/** HTTP statuses of the executor's error codes (the connection test reports its own failures in the body). */
export function httpStatusOfExecutorError(code: string): number | undefined {
  switch (code) {
    case 'SCAN_NOT_FOUND':
    case 'COMMAND_NOT_FOUND':
    case 'EXO_NO_TENANT_CONNECTION':
      return 404;
    default:
      if (code === String(ExchangeErrorCode.Throttled)) return 429;
      return code.startsWith('EXO_') ? 502 : undefined;
  }
}

export function exchangeExecutorService(options: ExchangeExecutorOptions = {}): ServiceDefinition {
  return {
    name: 'exchange-executor',
    defaultPort: 8082,
    entities: [CommandLogEntity, MailboxSnapshotEntity, ConfigSnapshotEntity],
    migrations: [ExecutorTables1764300000000, ExecutorConfigSnapshot1764300000001],
    module: (context) => ExchangeExecutorModule.forService(context, options),
    httpStatusOf: httpStatusOfExecutorError,
    openApi: {
      title: 'easgate exchange-executor',
      description:
        'Runs Exchange ActiveSync commands through the Exchange Online admin API (app-only, certificate via the vault), coalescing per mailbox; discovery and the connection test.',
    },
  };
}

export const exchangeExecutorDefinition: ServiceDefinition = exchangeExecutorService();
