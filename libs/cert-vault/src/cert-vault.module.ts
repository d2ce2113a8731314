import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Outbox } from '@easgate/messaging';
import { type ServiceContext, tenantResolverToken, type TenantResolver } from '@easgate/service-runtime';
import { AssertionSigner } from './application/assertion-signer';
import { AuditTrail } from './application/audit-trail';
import { Certificates } from './application/certificates';
import { ExpiryScanner } from './application/expiry-scanner';
import { MasterKeyRewrapper } from './application/master-key-rewrapper';
import { Rotations } from './application/rotations';
import { TenantConnections } from './application/tenant-connections';
import { SigningKeyCache } from './application/signing-key-cache';
import { VaultStores } from './application/vault-stores';
import { type CertVaultConfig, parseCertVaultConfig } from './config';
import { auditKeyOf } from './domain/audit-chain';
import { type Clock, systemClock } from './domain/clock';
import { EnvelopeCipher } from './domain/envelope-encryption';
import { CertificatesController } from './http/certificates.controller';
import { OperationsController } from './http/operations.controller';
import { RotationsController } from './http/rotations.controller';
import { SigningController } from './http/signing.controller';
import { TenantConnectionsController } from './http/tenant-connections.controller';
import { HttpIdentityPlatform, type IdentityPlatform, httpsAgent } from './infra/identity-platform.client';
import { loadMasterKeyRing } from './infra/master-key-loader';
import { transactionEndHook } from './infra/transaction-end';
import { VaultMetrics } from './infra/vault-metrics';

export interface CertVaultOptions {
  /** Defaults to the system clock; tests inject one to cross expiry thresholds. */
  readonly clock?: Clock;
  /** Defaults to HTTPS with the system CAs plus VAULT_EXTRA_CA_FILE / NODE_EXTRA_CA_CERTS. */
  readonly identityPlatform?: IdentityPlatform;
}

const CONFIG = Symbol('CERT_VAULT_CONFIG');
const IDENTITY = Symbol('CERT_VAULT_IDENTITY');

@Injectable()
class CertVaultLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(CONFIG) private readonly config: CertVaultConfig,
    @Inject(ExpiryScanner) private readonly scanner: ExpiryScanner,
    @Inject(MasterKeyRewrapper) private readonly rewrapper: MasterKeyRewrapper,
    @Inject(IDENTITY) private readonly identity: IdentityPlatform,
    @Inject(SigningKeyCache) private readonly keys: SigningKeyCache,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Finishes (or continues) a master-key rotation: data keys under a previous key move to the current one.
    await this.rewrapper.rewrapAll('cert-vault');
    if (this.config.expiryScannerEnabled) this.scanner.start(this.config.expiryScanIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.scanner.stop();
    await this.identity.close();
    this.keys.clear();
  }
}

@Module({})
export class CertVaultModule {
  static forService(context: ServiceContext, options: CertVaultOptions = {}): DynamicModule {
    const config = parseCertVaultConfig(context.env);
    const ring = loadMasterKeyRing(config, context.dataDir, context.logger);
    const cipher = new EnvelopeCipher(ring);
    const clock = options.clock ?? systemClock;
    const metrics = new VaultMetrics();
    const keys = new SigningKeyCache(
      cipher,
      config.signingKeyCacheMs,
      (source) => metrics.signingKey(source),
      {
        lookupTtlMs: config.signingLookupCacheMs,
        afterTransaction: transactionEndHook(context.database),
      },
    );
    const embeddedSandboxCa = join(context.dataDir, 'sandbox-tls', 'ca.pem');
    // `easgate start` runs the sandbox with its CA under the data directory: trust it too.
    const extraCaFiles = [
      ...config.extraCaFiles,
      ...(existsSync(embeddedSandboxCa) ? [embeddedSandboxCa] : []),
    ];
    context.logger.info({ extraCaFiles }, 'identity platform calls trust the system CAs and these CA files');
    const identity =
      options.identityPlatform ?? new HttpIdentityPlatform(httpsAgent(extraCaFiles), config.httpTimeoutMs);
    return {
      module: CertVaultModule,
      controllers: [
        TenantConnectionsController,
        CertificatesController,
        RotationsController,
        SigningController,
        OperationsController,
      ],
      providers: [
        {
          provide: tenantResolverToken('connection'),
          useFactory: (connections: TenantConnections): TenantResolver => ({
            tenantOf: (connectionId) => connections.tenantOf(connectionId),
          }),
          inject: [TenantConnections],
        },
        { provide: CONFIG, useValue: config },
        { provide: IDENTITY, useValue: identity },
        { provide: SigningKeyCache, useValue: keys },
        {
          provide: VaultStores,
          useFactory: (outbox: Outbox) => new VaultStores(context.database, outbox),
          inject: [Outbox],
        },
        {
          provide: AuditTrail,
          useFactory: (stores: VaultStores) =>
            new AuditTrail(
              stores,
              clock,
              {
                current: auditKeyOf(ring.current.key),
                all: ring.ids.map((id) => auditKeyOf(ring.get(id).key)),
              },
              config.auditCheckpointFile,
            ),
          inject: [VaultStores],
        },
        {
          provide: TenantConnections,
          useFactory: (stores: VaultStores, audit: AuditTrail) =>
            new TenantConnections(stores, audit, clock, config.allowedEndpointHosts, keys),
          inject: [VaultStores, AuditTrail],
        },
        {
          provide: Certificates,
          useFactory: (stores: VaultStores, audit: AuditTrail) =>
            new Certificates(stores, cipher, audit, identity, clock, config.rotationOverlapHours, keys),
          inject: [VaultStores, AuditTrail],
        },
        {
          provide: AssertionSigner,
          useFactory: (stores: VaultStores, audit: AuditTrail) =>
            new AssertionSigner(stores, keys, audit, clock, metrics),
          inject: [VaultStores, AuditTrail],
        },
        {
          provide: Rotations,
          useFactory: (stores: VaultStores, certificates: Certificates, audit: AuditTrail) =>
            new Rotations(stores, certificates, cipher, identity, audit, clock, {
              defaultOverlapHours: config.rotationOverlapHours,
              ...(config.graphUrl !== undefined && { graphUrl: config.graphUrl }),
            }),
          inject: [VaultStores, Certificates, AuditTrail],
        },
        {
          provide: ExpiryScanner,
          useFactory: (
            stores: VaultStores,
            certificates: Certificates,
            audit: AuditTrail,
            rotations: Rotations,
          ) =>
            new ExpiryScanner(
              stores,
              certificates,
              audit,
              clock,
              context.logger,
              {
                rotations,
                beforeDays: config.autoRotateDays,
                removeRetiredKeys: config.removeRetiredKeys,
              },
              metrics,
            ),
          inject: [VaultStores, Certificates, AuditTrail, Rotations],
        },
        {
          provide: MasterKeyRewrapper,
          useFactory: (stores: VaultStores, audit: AuditTrail) =>
            new MasterKeyRewrapper(stores, cipher, ring.current.id, audit, context.logger, keys),
          inject: [VaultStores, AuditTrail],
        },
        CertVaultLifecycle,
      ],
    };
  }
}
