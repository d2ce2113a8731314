import type { ServiceDefinition } from '@easgate/service-runtime';
import { type CertVaultOptions, CertVaultModule } from './cert-vault.module';
import { httpStatusOfVaultError } from './domain/vault-error';
import { certVaultEntities } from './infra/entities';
import { CertVaultAuditHeadMac1764900000000 } from './infra/audit-head-mac.migration';
import { CertVaultTables1764200000000 } from './infra/cert-vault-tables.migration';

/** The cert-vault as its app and `easgate start` load it; tests pass a clock or an identity platform. */
export function certVaultService(options: CertVaultOptions = {}): ServiceDefinition {
  return {
    name: 'cert-vault',
    defaultPort: 8081,
    entities: certVaultEntities,
    migrations: [CertVaultTables1764200000000, CertVaultAuditHeadMac1764900000000],
    module: (context) => CertVaultModule.forService(context, options),
    httpStatusOf: httpStatusOfVaultError,
    openApi: {
      title: 'easgate cert-vault',
      description:
        'Tenant connections, certificates (encrypted at rest), client-assertion signing for the executor, staged rotation, and the hash-chained audit log. No endpoint returns a private key or a PFX.',
    },
  };
}

export const certVaultDefinition: ServiceDefinition = certVaultService();
