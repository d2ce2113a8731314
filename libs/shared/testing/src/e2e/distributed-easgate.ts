import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import {
  ensurePrivateDir,
  generateServiceKey,
  trustedServicesJson,
  writeSecretFile,
} from '@easgate/identity';
import { join } from 'node:path';
import { createE2eDatabase, databaseUrl, dropE2eDatabase } from './databases';
import { allowFullWipes, fullWipeExecutorEnv } from './full-wipes';
import { ManagedProcess, waitForHttpOk } from './managed-process';
import { type ServiceName, serviceCommand } from './process-command';
import type { SandboxProcess } from './sandbox';
import { linkVaultToSandbox, type TenantLink } from './tenant-link';

export type EasgateService = Exclude<ServiceName, 'exo-sandbox'>;

/** Start order: the vault first (the executor asks it for assertions), then the others. */
export const EASGATE_SERVICES: readonly EasgateService[] = [
  'cert-vault',
  'exchange-executor',
  'policy-translator',
  'alerting',
];

export interface ServiceInstance {
  name: EasgateService;
  /** 0 for the first instance, 1… for replicas. */
  replica: number;
  port: number;
  url: string;
  process: ManagedProcess;
}

export interface DistributedEasgateOptions {
  runDir: string;
  brokers: string;
  sandbox: SandboxProcess;
  /** Where the services reach PostgreSQL (the harness's TCP proxy, so that it can be cut). */
  postgres: { host: string; port: number };
  /** First port of the services; instances take the following ones. */
  basePort: number;
  /** Extra environment for every service (e.g. EXECUTOR_* knobs). */
  env?: NodeJS.ProcessEnv;
  /** Called as soon as processes exist, before they are ready: whoever stops the run can stop them. */
  onStarted?: (easgate: DistributedEasgate) => void;
  /** The sandbox tenant enables full wipes (executor kinds + translator rules); off by default, as in the product. */
  fullWipes?: boolean;
}

/**
 * easgate as it is deployed: every service its own OS process (apps/<service>/src/main.ts), each with
 * a database of its own, all on one Kafka broker, the sandbox as the tenant. Replicas share their
 * service's database and consumer group.
 */
export class DistributedEasgate {
  readonly apiToken = randomBytes(24).toString('hex');
  private readonly masterKey = randomBytes(32).toString('base64');
  private readonly databases = new Map<EasgateService, string>();
  private readonly instances: ServiceInstance[] = [];
  private nextPort: number;
  /** Each service's Ed25519 key and the trust file, as `easgate identity init-services` makes them. */
  private readonly identities: { dir: string; trustFile: string };
  link: TenantLink | undefined;

  private constructor(readonly options: DistributedEasgateOptions) {
    this.nextPort = options.basePort;
    this.identities = initServiceIdentities(join(options.runDir, 'identities'));
  }

  /** Creates the databases, starts each service, waits for /health/ready, links the vault to the sandbox. */
  static async start(options: DistributedEasgateOptions): Promise<DistributedEasgate> {
    const easgate = new DistributedEasgate(options);
    options.onStarted?.(easgate);
    for (const name of EASGATE_SERVICES) {
      easgate.databases.set(name, await createE2eDatabase(`e2e_${name}`));
    }
    const vault = easgate.spawn('cert-vault');
    await easgate.waitReady(vault);
    const others = EASGATE_SERVICES.slice(1).map((name) => easgate.spawn(name));
    for (const instance of others) await easgate.waitReady(instance);
    easgate.link = await linkVaultToSandbox({
      vaultUrl: vault.url,
      apiToken: easgate.apiToken,
      sandbox: options.sandbox.admin,
      tenantId: options.sandbox.info.tenantId,
      organization: options.sandbox.info.organization,
    });
    if (options.fullWipes)
      await allowFullWipes({
        translatorUrl: easgate.url('policy-translator'),
        apiToken: easgate.apiToken,
        tenantId: options.sandbox.info.tenantId,
      });
    return easgate;
  }

  database(name: EasgateService): string {
    return this.databases.get(name)!;
  }

  instancesOf(name: EasgateService): ServiceInstance[] {
    return this.instances.filter((i) => i.name === name);
  }

  /** The first running instance of a service. */
  url(name: EasgateService): string {
    const running = this.instancesOf(name).find((i) => i.process.running) ?? this.instancesOf(name)[0];
    return running.url;
  }

  get logFiles(): string[] {
    return this.instances.map((i) => i.process.logFile);
  }

  /** Another instance of a service (same database, same consumer group). */
  async addReplica(name: EasgateService): Promise<ServiceInstance> {
    const instance = this.spawn(name);
    await this.waitReady(instance);
    return instance;
  }

  async kill(instance: ServiceInstance): Promise<void> {
    await instance.process.kill();
  }

  /** Starts a killed or stopped instance again and waits until it is ready; returns the ms it took. */
  async restart(instance: ServiceInstance): Promise<number> {
    await instance.process.restart();
    return this.waitReady(instance);
  }

  async waitReady(instance: ServiceInstance, timeoutMs = 180_000): Promise<number> {
    return waitForHttpOk(`${instance.url}/health/ready`, instance.process, timeoutMs);
  }

  /** SIGTERM to every process (newest first), then the databases are dropped. */
  async stop(): Promise<void> {
    for (const instance of [...this.instances].reverse()) await instance.process.terminate(20_000);
    if (process.env['E2E_KEEP_DATABASES'] !== '1') {
      for (const name of this.databases.values()) await dropE2eDatabase(name).catch(() => undefined);
    }
  }

  private spawn(name: EasgateService): ServiceInstance {
    const replica = this.instancesOf(name).length;
    const port = this.nextPort++;
    const label = replica === 0 ? name : `${name}-${replica}`;
    const dataDir = join(this.options.runDir, 'data', label);
    mkdirSync(dataDir, { recursive: true });
    const vault = this.instancesOf('cert-vault')[0];
    const caPath = this.options.sandbox.info.caPath;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      NODE_ENV: 'production',
      LOG_LEVEL: process.env['E2E_LOG_LEVEL'] ?? 'info',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      EASGATE_API_TOKEN: this.apiToken,
      KAFKA_BROKERS: this.options.brokers,
      DATABASE_URL: databaseUrl(this.database(name), {
        host: this.options.postgres.host,
        port: this.options.postgres.port,
      }),
      EASGATE_DATA_DIR: dataDir,
      [`${name.toUpperCase().replace(/-/g, '_')}_PORT`]: String(port),
      VAULT_MASTER_KEY: this.masterKey,
      VAULT_EXTRA_CA_FILE: caPath,
      EXECUTOR_CA_FILE: caPath,
      // The sandbox is an endpoint override an operator admits (else 400 ENDPOINT_NOT_ALLOWED).
      EASGATE_ALLOWED_ENDPOINT_HOSTS: new URL(this.options.sandbox.info.baseUrl).host,
      ...(vault && { CERT_VAULT_URL: vault.url }),
      EASGATE_SERVICE_KEY_FILE: join(this.identities.dir, `${name}.key`),
      EASGATE_TRUSTED_SERVICES_FILE: this.identities.trustFile,
      ...(this.options.fullWipes && fullWipeExecutorEnv(this.options.sandbox.info.tenantId)),
      ...this.options.env,
    };
    const instance: ServiceInstance = {
      name,
      replica,
      port,
      url: `http://127.0.0.1:${port}`,
      process: new ManagedProcess({
        name: label,
        command: serviceCommand(name),
        env,
        logFile: join(this.options.runDir, `${label}.log`),
      }).start(),
    };
    this.instances.push(instance);
    return instance;
  }
}

/**
 * What `easgate identity init-services --dir <dir>` makes (provisionServiceIdentities in
 * @easgate/service-runtime, which this library cannot import): each service's Ed25519 key (0600) and
 * the trusted-services file naming their public keys for every tenant. The executor signs its calls to
 * the vault with its key; the vault admits it by the trust file.
 */
function initServiceIdentities(dir: string): { dir: string; trustFile: string } {
  ensurePrivateDir(dir);
  const keys = EASGATE_SERVICES.map((name) => {
    const key = generateServiceKey(name);
    writeSecretFile(
      join(dir, `${name}.key`),
      key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    return key;
  });
  const trustFile = join(dir, 'trusted-services.json');
  writeSecretFile(trustFile, trustedServicesJson(keys.map((key) => ({ key, tenants: '*' as const }))));
  return { dir, trustFile };
}
