import type { ServiceDefinition } from '@easgate/service-runtime';
import { type ExchangeExecutorOptions, ExchangeExecutorModule } from './exchange-executor.module';
import { ExecutorErrorCode } from './domain/executor-error';
import { ExchangeErrorCode } from './infra/exchange-client';
import { MailboxLeaseEntity } from './infra/persistence/mailbox-lease.entity';
import { ExecutorLeases1764300000002 } from './infra/persistence/executor-leases.migration';
import { ExecutorPendingIndexes1764300000003 } from './infra/persistence/executor-pending-indexes.migration';
import { ExecutorStatusIndexes1764300000020 } from './infra/persistence/executor-status-indexes.migration';
import { CommandLogEntity } from './infra/persistence/command-log.entity';
import { DiscoveryDeviceEntity } from './infra/persistence/discovery-device.entity';
import { ExecutorDiscoveryStaging1764300000010 } from './infra/persistence/discovery-staging.migration';
import { ConfigSnapshotEntity } from './infra/persistence/config-snapshot.entity';
import { ExecutorConfigSnapshot1764300000001 } from './infra/persistence/config-snapshot.migration';
import { ExecutorTables1764300000000 } from './infra/persistence/executor-tables.migration';
import { MailboxSnapshotEntity } from './infra/persistence/mailbox-snapshot.entity';

/**
 * HTTP status of every code the executor raises: its own (ExecutorErrorCode) and Exchange's
 * (ExchangeErrorCode), in one exhaustive switch. Unknown codes are left to the runtime's default.
 */
export function httpStatusOfExecutorError(code: string): number | undefined {
  const known = code as ExecutorErrorCode | ExchangeErrorCode;
  switch (known) {
    case ExecutorErrorCode.ScanNotFound:
    case ExecutorErrorCode.CommandNotFound:
    case ExecutorErrorCode.NoTenantConnection:
      return 404;
    case ExecutorErrorCode.InvalidTenant:
    case ExecutorErrorCode.ConfigInvalid:
      return 400;
    case ExecutorErrorCode.OutOfScope:
    case ExecutorErrorCode.CommandKindNotEnabled:
      return 403;
    case ExecutorErrorCode.WipeOutcomeUnknown:
      return 409;
    case ExecutorErrorCode.VaultUnavailable:
      return 503;
    case ExecutorErrorCode.Unexpected:
      return 500;
    case ExchangeErrorCode.Throttled:
      return 429;
    case ExchangeErrorCode.CertificateNotRegistered:
    case ExchangeErrorCode.AssertionRejected:
    case ExchangeErrorCode.AppNotFound:
    case ExchangeErrorCode.ServicePrincipalMissing:
    case ExchangeErrorCode.TenantNotFound:
    case ExchangeErrorCode.TokenThrottled:
    case ExchangeErrorCode.TokenRequestFailed:
    case ExchangeErrorCode.AssertionUnavailable:
    case ExchangeErrorCode.BadRequest:
    case ExchangeErrorCode.AccountOnlyWipeRequired:
    case ExchangeErrorCode.NotFound:
    case ExchangeErrorCode.CmdletNotAllowed:
    case ExchangeErrorCode.Unauthorized:
    case ExchangeErrorCode.MissingRole:
    case ExchangeErrorCode.Unavailable:
    case ExchangeErrorCode.ServerError:
    case ExchangeErrorCode.Timeout:
    case ExchangeErrorCode.Network:
    case ExchangeErrorCode.CircuitOpen:
    case ExchangeErrorCode.InvalidInput:
    case ExchangeErrorCode.UnexpectedResponse:
      return 502;
    default:
      return undefined;
  }
}

export function exchangeExecutorService(options: ExchangeExecutorOptions = {}): ServiceDefinition {
  return {
    name: 'exchange-executor',
    defaultPort: 8082,
    entities: [
      CommandLogEntity,
      MailboxSnapshotEntity,
      ConfigSnapshotEntity,
      MailboxLeaseEntity,
      DiscoveryDeviceEntity,
    ],
    migrations: [
      ExecutorTables1764300000000,
      ExecutorConfigSnapshot1764300000001,
      ExecutorLeases1764300000002,
      ExecutorPendingIndexes1764300000003,
      ExecutorDiscoveryStaging1764300000010,
      ExecutorStatusIndexes1764300000020,
    ],
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
