import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * The world a console browser spec runs in: the console built by Vite, `easgate start` (every service
 * embedded, the Exchange sandbox over HTTPS, the console gateway), Debian's Chromium driven by
 * playwright-core, and helpers to sign in, photograph a screen with its axe-core check, and reach the
 * sandbox's admin API or a service directly (with the API token) to arrange what a test needs.
 *
 * Each spec file owns a block of 20 ports (`portBase` … `portBase + 19`): the world takes the first six,
 * the spec may listen on the rest (`world.spare(n)`). Blocks in use:
 *   22180 console.browser, 22200 operations.browser, 22220 records.browser, 22240 certificates-validation.browser
 */
export interface ConsoleWorldOptions {
  /** The spec's name: its axe results go to dist/console-screenshots/axe-results-<name>.json. */
  readonly name: string;
  readonly portBase: number;
  /** More environment for `easgate start` (e.g. ALERTING_ALLOWED_DESTINATION_HOSTS). */
  readonly env?: Readonly<Record<string, string>>;
  /** Connect the sandbox tenant at start (default false: the admin connects it in the wizard). */
  readonly sandboxTenantConnected?: boolean;
}

export interface ConsoleWorldPorts {
  readonly console: number;
  readonly vault: number;
  readonly executor: number;
  readonly translator: number;
  readonly alerting: number;
  readonly sandbox: number;
}

export type ServiceName = 'cert-vault' | 'exchange-executor' | 'policy-translator' | 'alerting';

export interface ConsoleWorld {
  readonly root: string;
  readonly dataDir: string;
  readonly ports: ConsoleWorldPorts;
  /** The console's origin, e.g. http://127.0.0.1:22180 */
  readonly consoleUrl: string;
  /** The one-time link that creates the first administrator. */
  readonly setupUrl: string;
  readonly sandboxUrl: string;
  /** The sandbox tenant (`sandbox.onmicrosoft.com`). */
  readonly sandboxTenant: string;
  readonly browser: Browser;
  readonly page: Page;
  /** A port of the spec's block the world does not use (0 ≤ n < 14). */
  spare(n: number): number;
  /** Creates the first administrator through the gateway (the page's context gets its session) and opens `path`. */
  signInAsFirstAdmin(path?: string, password?: string): Promise<void>;
  /**
   * Adds a console account as an administrator would (`easgate identity add-console-user`, the password
   * on standard input) while the gateway runs.
   */
  addConsoleUser(user: { id: string; roles: string[]; password: string }): void;
  /** Signs out and in again through the sign-in screen (keyboard), then opens `path`. */
  signInAs(user: { id: string; password: string }, path?: string): Promise<void>;
  /** Opens a console path in the page (e.g. `/alerting`). */
  open(path: string): Promise<void>;
  /** A full-page screenshot under dist/console-screenshots/<name>.png and an axe-core check: no serious or critical violation. */
  screen(name: string): Promise<void>;
  /** The sandbox's admin API (`/_sandbox<path>`). */
  sandbox<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** A service's own API with the embedded API token (to arrange a test, not to check the console). */
  service<T>(service: ServiceName, method: string, path: string, body?: unknown): Promise<T>;
  readonly apiToken: string;
  /** What `easgate start` printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

export const ROOT = resolve(__dirname, '../../..');
export const SHOTS = join(ROOT, 'dist/console-screenshots');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export async function startConsoleWorld(options: ConsoleWorldOptions): Promise<ConsoleWorld> {
  const base = options.portBase;
  const ports: ConsoleWorldPorts = {
    console: base,
    vault: base + 1,
    executor: base + 2,
    translator: base + 3,
    alerting: base + 4,
    sandbox: base + 5,
  };
  const dataDir = mkdtempSync(join(tmpdir(), `easgate-console-${options.name}-`));
  // Each world builds its own copy: specs run side by side and must not empty each other's dist.
  const consoleDir = join(dataDir, 'console-dist');
  execFileSync(
    'npx',
    [
      'vite',
      'build',
      '--config',
      'apps/console/vite.config.mts',
      '--outDir',
      consoleDir,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  mkdirSync(SHOTS, { recursive: true });

  let output = '';
  const easgate: ChildProcess = spawn('node', ['tools/bin/easgate.js', 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      KAFKA_BROKERS: '',
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      EASGATE_DATA_DIR: dataDir,
      EASGATE_CONSOLE_DIR: consoleDir,
      EASGATE_PORT: String(ports.console),
      EASGATE_SANDBOX_PORT: String(ports.sandbox),
      CERT_VAULT_PORT: String(ports.vault),
      EXCHANGE_EXECUTOR_PORT: String(ports.executor),
      POLICY_TRANSLATOR_PORT: String(ports.translator),
      ALERTING_PORT: String(ports.alerting),
      EASGATE_SANDBOX_LINK: options.sandboxTenantConnected ? 'on' : 'off',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  easgate.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  easgate.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

  let browser: Browser | undefined;
  let sandboxAgent: Agent | undefined;
  const axeResults: Record<string, { id: string; impact: string | null | undefined; nodes: number }[]> = {};

  const stop = async (): Promise<void> => {
    if (Object.keys(axeResults).length > 0)
      writeFileSync(
        join(SHOTS, `axe-results-${options.name}.json`),
        `${JSON.stringify(axeResults, null, 2)}\n`,
      );
    await browser?.close();
    await sandboxAgent?.close();
    if (easgate.exitCode === null && easgate.signalCode === null) {
      const exited = new Promise((ok) => easgate.once('exit', ok));
      easgate.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const setupUrl = await new Promise<string>((ok, fail) => {
      const timer = setInterval(() => {
        const found = /first sign-in\s+(\S+)/.exec(output);
        if (found) {
          clearInterval(timer);
          ok(found[1]);
        } else if (easgate.exitCode !== null) {
          clearInterval(timer);
          fail(new Error(`easgate start exited: ${output}`));
        }
      }, 200);
    });
    const agent = new Agent({ connect: { ca: readFileSync(join(dataDir, 'sandbox-tls/ca.pem')) } });
    sandboxAgent = agent;
    const launched = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    browser = launched;
    const page = await (await launched.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const consoleUrl = new URL(setupUrl).origin;
    const sandboxUrl = `https://127.0.0.1:${ports.sandbox}`;
    const apiToken = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    const serviceUrls: Record<ServiceName, string> = {
      'cert-vault': `http://127.0.0.1:${ports.vault}`,
      'exchange-executor': `http://127.0.0.1:${ports.executor}`,
      'policy-translator': `http://127.0.0.1:${ports.translator}`,
      alerting: `http://127.0.0.1:${ports.alerting}`,
    };

    return {
      root: ROOT,
      dataDir,
      ports,
      consoleUrl,
      setupUrl,
      sandboxUrl,
      sandboxTenant: 'sandbox.onmicrosoft.com',
      browser: launched,
      page,
      apiToken,
      output: () => output,
      spare(n) {
        if (n < 0 || n >= 14) throw new Error(`a spec has 14 spare ports, not ${n}`);
        return base + 6 + n;
      },
      async signInAsFirstAdmin(path = '/', password = 'correct horse battery staple') {
        const res = await page.request.post(`${consoleUrl}/auth/setup`, {
          data: { code: new URL(setupUrl).hash.slice('#code='.length), username: 'admin', password },
        });
        if (!res.ok()) throw new Error(`first sign-in: ${res.status()} ${await res.text()}`);
        await page.goto(`${consoleUrl}${path}`);
        await page.getByRole('button', { name: 'Sign out' }).waitFor();
      },
      addConsoleUser(user) {
        execFileSync(
          'node',
          [
            'tools/bin/easgate.js',
            'identity',
            'add-console-user',
            '--data-dir',
            dataDir,
            '--id',
            user.id,
            ...user.roles.flatMap((role) => ['--role', role]),
            '--all-tenants',
          ],
          { cwd: ROOT, input: `${user.password}\n`, stdio: ['pipe', 'ignore', 'inherit'] },
        );
      },
      async signInAs(user, path = '/') {
        const signOut = page.getByRole('button', { name: 'Sign out' });
        if (await signOut.isVisible()) {
          await signOut.click();
          await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
        }
        await page.getByLabel('User name').fill(user.id);
        await page.getByRole('textbox', { name: 'Password' }).fill(user.password);
        await page.getByRole('textbox', { name: 'Password' }).press('Enter');
        await signOut.waitFor();
        await page.goto(`${consoleUrl}${path}`);
        await signOut.waitFor();
      },
      async open(path) {
        await page.goto(`${consoleUrl}${path}`);
      },
      async screen(name) {
        // From the top: a full-page shot of a scrolled page draws the fixed header mid-page.
        await page.evaluate('window.scrollTo(0, 0)');
        await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
        const result = await new AxeBuilder({ page }).analyze();
        axeResults[name] = result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          nodes: v.nodes.length,
        }));
        const grave = result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        expect(grave).toEqual([]);
      },
      async sandbox<T>(method: string, path: string, body?: unknown): Promise<T> {
        // undici's own fetch: the sandbox's self-signed CA rides on its Agent (global fetch's types differ).
        const res = await undiciFetch(`${sandboxUrl}/_sandbox${path}`, {
          method,
          ...(body !== undefined && {
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }),
          dispatcher: agent,
        });
        if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status} ${await res.text()}`);
        return (await res.json()) as T;
      },
      async service<T>(service: ServiceName, method: string, path: string, body?: unknown): Promise<T> {
        const res = await fetch(`${serviceUrls[service]}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${apiToken}`,
            ...(body !== undefined && { 'content-type': 'application/json' }),
          },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`${service} ${method} ${path}: ${res.status} ${text}`);
        return (text ? JSON.parse(text) : undefined) as T;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
