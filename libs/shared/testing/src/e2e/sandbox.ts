import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { ManagedProcess } from './managed-process';
import { serviceCommand } from './process-command';

export interface SandboxAuditEntry {
  seq: number;
  at: string;
  kind: 'token' | 'cmdlet' | 'graph';
  appId?: string;
  action: string;
  parameters?: Record<string, unknown>;
  status: number;
  outcome: string;
}

/** A device as the sandbox shows it (Get-MobileDeviceStatistics fields + `Mailbox`). */
export interface SandboxDevice {
  Identity: string;
  Mailbox: string;
  DeviceId: string;
  ClientType: string;
  DeviceAccessState: string;
  DeviceAccessStateReason: string;
  Status: string;
  DeviceWipeStatus: string | null;
  DeviceWipeRequestTime: string | null;
  AccountOnlyDeviceWipeRequestTime: string | null;
}

export interface SandboxFault {
  kind: 'http-429' | 'http-503' | 'http-504' | 'timeout' | 'reset';
  target: 'token' | 'adminapi' | 'graph' | 'any';
  cmdlet?: string;
  count?: number;
  retryAfterSeconds?: number;
  holdMs?: number;
}

/** The sandbox admin API (`/_sandbox`): the suite's ground truth of what "Exchange" holds and was asked. */
export class SandboxAdmin {
  private readonly dispatcher: Agent;

  constructor(
    readonly baseUrl: string,
    caPem: string,
  ) {
    this.dispatcher = new Agent({ connect: { ca: caPem }, keepAliveTimeout: 1_000 });
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await undiciFetch(`${this.baseUrl}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      dispatcher: this.dispatcher,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  addMailbox(alias: string): Promise<{ identity: string; userPrincipalName: string }> {
    return this.call('POST', '/mailboxes', { alias });
  }

  connectDevice(input: {
    mailbox: string;
    deviceId: string;
    deviceType?: string;
    clientType?: 'EAS' | 'Outlook';
  }): Promise<{ Identity: string }> {
    return this.call('POST', '/devices', { deviceType: 'iPhone', ...input });
  }

  completeDiscovery(identity: string): Promise<unknown> {
    return this.call('POST', `/devices/${encodeURIComponent(identity)}/complete-discovery`, {});
  }

  async devices(mailbox?: string): Promise<SandboxDevice[]> {
    const query = mailbox === undefined ? '' : `?mailbox=${encodeURIComponent(mailbox)}`;
    return (await this.call<{ value: SandboxDevice[] }>('GET', `/devices${query}`)).value;
  }

  async audit(filter: { kind?: string; action?: string; since?: number } = {}): Promise<SandboxAuditEntry[]> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(filter))
      if (value !== undefined) params.set(name, String(value));
    const query = params.toString();
    return (await this.call<{ value: SandboxAuditEntry[] }>('GET', `/audit${query ? `?${query}` : ''}`))
      .value;
  }

  /** The audit's current high-water mark: pass it as `since` to read only what follows. */
  async auditMark(): Promise<number> {
    const all = await this.audit();
    return all.length === 0 ? 0 : all[all.length - 1].seq;
  }

  injectFault(fault: SandboxFault): Promise<{ id: string }> {
    return this.call('POST', '/faults', fault);
  }

  clearFaults(): Promise<unknown> {
    return this.call('DELETE', '/faults');
  }

  setKnobs(knobs: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.call('PUT', '/knobs', knobs);
  }

  counters(): Promise<Record<string, number>> {
    return this.call('GET', '/counters');
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

export interface SandboxProcessOptions {
  runDir: string;
  port: number;
  latencyMs?: number;
  seed?: number;
}

/** The exo-sandbox as its own process (apps/exo-sandbox), seeded empty: the suite adds its own mailboxes. */
export class SandboxProcess {
  private constructor(
    readonly process: ManagedProcess,
    readonly admin: SandboxAdmin,
    readonly info: { baseUrl: string; tenantId: string; organization: string; caPath: string },
  ) {}

  static async start(options: SandboxProcessOptions): Promise<SandboxProcess> {
    const tlsDir = join(options.runDir, 'sandbox-tls');
    mkdirSync(tlsDir, { recursive: true });
    const process_ = new ManagedProcess({
      name: 'exo-sandbox',
      command: serviceCommand('exo-sandbox'),
      env: {
        ...process.env,
        EXO_SANDBOX_TLS_DIR: tlsDir,
        EXO_SANDBOX_PORT: String(options.port),
        EXO_SANDBOX_MAILBOXES: '0',
        EXO_SANDBOX_DEVICES: '0',
        EXO_SANDBOX_SEED: String(options.seed ?? 1),
        EXO_SANDBOX_LATENCY_MS: String(options.latencyMs ?? 0),
      },
      logFile: join(options.runDir, 'exo-sandbox.log'),
    }).start();
    const began = Date.now();
    for (;;) {
      const line = process_
        .log()
        .split('\n')
        .find((l) => l.includes('"exo-sandbox listening"'));
      if (line) {
        const info = JSON.parse(line) as SandboxProcess['info'];
        return new SandboxProcess(
          process_,
          new SandboxAdmin(info.baseUrl, readFileSync(info.caPath, 'utf8')),
          info,
        );
      }
      if (!process_.running) throw new Error(`exo-sandbox exited during start: see ${process_.logFile}`);
      if (Date.now() - began > 120_000)
        throw new Error(`exo-sandbox not listening after 120 s: see ${process_.logFile}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async stop(): Promise<void> {
    await this.admin.close();
    await this.process.terminate(10_000);
  }
}
