import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, waitForHttpOk } from './managed-process';
import { allowFullWipes, fullWipeExecutorEnv } from './full-wipes';
import { easgateCommand } from './process-command';
import type { SandboxProcess } from './sandbox';
import { linkVaultToSandbox, type TenantLink } from './tenant-link';

export interface EmbeddedEasgateOptions {
  runDir: string;
  /** A label for the log and data dir (e.g. `embedded`, `kafka`). */
  label: string;
  sandbox: SandboxProcess;
  /** Status port, then the four services' ports. */
  basePort: number;
  /** Kafka + PostgreSQL shape; without it the embedded default (in-process bus, SQLite). */
  kafka?: { brokers: string; databaseUrl: string };
  env?: NodeJS.ProcessEnv;
  /** The sandbox tenant enables full wipes (executor kinds + translator rules); off by default, as in the product. */
  fullWipes?: boolean;
}

/**
 * `easgate start` as its own process, with the sandbox (its own process) as the tenant: the embedded
 * default, or the same process on Kafka + PostgreSQL. The data dir survives restarts.
 */
export class EmbeddedEasgate {
  readonly apiToken = randomBytes(24).toString('hex');
  readonly process: ManagedProcess;
  link: TenantLink | undefined;

  private constructor(readonly options: EmbeddedEasgateOptions) {
    const dataDir = join(options.runDir, 'data', options.label);
    mkdirSync(dataDir, { recursive: true });
    const port = (offset: number) => String(options.basePort + offset);
    const caPath = options.sandbox.info.caPath;
    this.process = new ManagedProcess({
      name: `easgate-start-${options.label}`,
      command: easgateCommand('start'),
      env: {
        PATH: process.env['PATH'],
        LOG_LEVEL: process.env['E2E_LOG_LEVEL'] ?? 'info',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        EASGATE_DATA_DIR: dataDir,
        EASGATE_API_TOKEN: this.apiToken,
        // A tenant of our own (the sandbox process): `easgate start` runs no sandbox inside.
        EASGATE_TENANT_ID: options.sandbox.info.tenantId,
        EASGATE_PORT: port(0),
        CERT_VAULT_PORT: port(1),
        EXCHANGE_EXECUTOR_PORT: port(2),
        POLICY_TRANSLATOR_PORT: port(3),
        ALERTING_PORT: port(4),
        VAULT_EXTRA_CA_FILE: caPath,
        EXECUTOR_CA_FILE: caPath,
        // The sandbox is an endpoint override an operator admits (else 400 ENDPOINT_NOT_ALLOWED).
        EASGATE_ALLOWED_ENDPOINT_HOSTS: new URL(options.sandbox.info.baseUrl).host,
        ...(options.kafka && {
          KAFKA_BROKERS: options.kafka.brokers,
          DATABASE_URL: options.kafka.databaseUrl,
        }),
        ...(options.fullWipes && fullWipeExecutorEnv(options.sandbox.info.tenantId)),
        ...options.env,
      },
      logFile: join(options.runDir, `easgate-start-${options.label}.log`),
    });
  }

  static async start(options: EmbeddedEasgateOptions): Promise<EmbeddedEasgate> {
    const easgate = new EmbeddedEasgate(options);
    easgate.process.start();
    try {
      await easgate.waitReady();
      easgate.link = await linkVaultToSandbox({
        vaultUrl: easgate.url('cert-vault'),
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
    } catch (err) {
      await easgate.process.kill();
      throw err;
    }
    return easgate;
  }

  url(service: 'status' | 'cert-vault' | 'exchange-executor' | 'policy-translator' | 'alerting'): string {
    const offset = ['status', 'cert-vault', 'exchange-executor', 'policy-translator', 'alerting'].indexOf(
      service,
    );
    return `http://127.0.0.1:${this.options.basePort + offset}`;
  }

  /** The status endpoint, then every service's /health/ready; returns the ms it took. */
  async waitReady(timeoutMs = 180_000): Promise<number> {
    const began = Date.now();
    await waitForHttpOk(`${this.url('status')}/health`, this.process, timeoutMs);
    for (const service of ['cert-vault', 'exchange-executor', 'policy-translator', 'alerting'] as const) {
      await waitForHttpOk(`${this.url(service)}/health/ready`, this.process, timeoutMs);
    }
    return Date.now() - began;
  }

  async kill(): Promise<void> {
    await this.process.kill();
  }

  async restart(): Promise<number> {
    await this.process.restart();
    return this.waitReady();
  }

  async stop(): Promise<void> {
    await this.process.terminate(20_000);
  }
}
