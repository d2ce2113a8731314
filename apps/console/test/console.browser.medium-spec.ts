import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { Agent, fetch as undiciFetch } from 'undici';
import { waitFor } from '@easgate/testing';

/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) against `easgate start`
 * with the Exchange sandbox: first sign-in, the whole Connect-a-tenant wizard, the status page, Exchange
 * alerting, and a blocked device with its Why. Each screen is photographed under dist/console-screenshots/
 * and checked with axe-core (no serious or critical violation).
 */
const ROOT = resolve(__dirname, '../../..');
const SHOTS = join(ROOT, 'dist/console-screenshots');
const PORTS = {
  console: 22180,
  sandbox: 22143,
  vault: 22181,
  executor: 22182,
  translator: 22183,
  alerting: 22184,
  alertmanager: 22199,
};
const SANDBOX = `https://127.0.0.1:${PORTS.sandbox}`;
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

describe('the easgate console in Chromium', () => {
  let dataDir: string;
  let easgate: ChildProcess;
  let output = '';
  let setupUrl: string;
  let browser: Browser;
  let page: Page;
  let sandboxAgent: Agent;
  const axeResults: Record<string, { id: string; impact: string | null | undefined; nodes: number }[]> = {};

  beforeAll(async () => {
    execFileSync(
      'npx',
      ['vite', 'build', '--config', 'apps/console/vite.config.mts', '--logLevel', 'error'],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'easgate-console-'));
    easgate = spawn('node', ['tools/bin/easgate.js', 'start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        KAFKA_BROKERS: '',
        DATABASE_URL: '',
        LOG_LEVEL: 'warn',
        EASGATE_DATA_DIR: dataDir,
        EASGATE_PORT: String(PORTS.console),
        EASGATE_SANDBOX_PORT: String(PORTS.sandbox),
        CERT_VAULT_PORT: String(PORTS.vault),
        EXCHANGE_EXECUTOR_PORT: String(PORTS.executor),
        POLICY_TRANSLATOR_PORT: String(PORTS.translator),
        ALERTING_PORT: String(PORTS.alerting),
        // The admin connects the sandbox tenant through the wizard.
        EASGATE_SANDBOX_LINK: 'off',
        // A local Alertmanager is on loopback: the operator admits it as a destination (SSRF guard).
        ALERTING_ALLOWED_DESTINATION_HOSTS: `127.0.0.1:${PORTS.alertmanager}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    easgate.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    easgate.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    setupUrl = await new Promise<string>((ok, fail) => {
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
    sandboxAgent = new Agent({ connect: { ca: readFileSync(join(dataDir, 'sandbox-tls/ca.pem')) } });
    browser = await chromium.launch({
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
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  }, 180_000);

  afterAll(async () => {
    writeFileSync(join(SHOTS, 'axe-results.json'), `${JSON.stringify(axeResults, null, 2)}\n`);
    await browser?.close();
    await sandboxAgent?.close();
    if (easgate && easgate.exitCode === null) {
      const exited = new Promise((ok) => easgate.once('exit', ok));
      easgate.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  async function screen(name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    const result = await new AxeBuilder({ page }).analyze();
    axeResults[name] = result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
    const grave = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(grave).toEqual([]);
  }

  async function sandbox<T>(method: string, path: string, body?: unknown): Promise<T> {
    // undici's own fetch: the sandbox's self-signed CA rides on its Agent (global fetch's types differ).
    const res = await undiciFetch(`${SANDBOX}/_sandbox${path}`, {
      method,
      ...(body !== undefined && {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
      dispatcher: sandboxAgent,
    });
    if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  it('creates the first administrator through the one-time link, then refuses the link again', async () => {
    await page.goto(setupUrl);
    await page.getByRole('heading', { name: 'Create the administrator' }).waitFor();
    await page.getByLabel(/^Password/).fill('correct horse battery staple');
    await screen('01-first-sign-in');
    await page.getByRole('button', { name: 'Create administrator and sign in' }).click();
    await page.getByRole('heading', { name: 'Connect a tenant' }).waitFor();
    const again = await page.request.post(new URL('/auth/setup', setupUrl).href, {
      data: { code: new URL(setupUrl).hash.slice(6), username: 'mallory', password: 'another long password' },
    });
    expect(again.status()).toBe(403);
  }, 60_000);

  it('connects the sandbox tenant: create a certificate, register it in Entra, Validate → every step green, Save', async () => {
    const appId = randomUUID();
    await page.getByRole('button', { name: 'Use the sandbox tenant' }).click();
    await page.getByLabel(/^Application \(client\) id/).fill(appId);
    await page.getByRole('button', { name: 'Create certificate' }).click();
    const pem = (await page.getByTestId('certificate-pem').textContent({ timeout: 30_000 }))!;
    expect(pem).toContain('BEGIN CERTIFICATE');
    await screen('02-connect-certificate-created');

    // What the admin does in Entra: the app with the certificate, consent and the Exchange role.
    await sandbox('POST', '/apps', {
      appId,
      displayName: 'easgate (console test)',
      certificates: [pem],
      consentGranted: true,
      roles: ['Exchange Administrator'],
    });

    await page.getByRole('button', { name: 'Validate Certificate' }).click();
    const save = page.getByRole('button', { name: 'Save' });
    const steps = page.locator('ol[aria-label="Validation steps"] > li');
    await waitFor(
      'every validation step to settle',
      async () =>
        (await steps.count()) > 5 && (await steps.and(page.locator('[data-state="running"]')).count()) === 0,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const states = await page
      .locator('ol[aria-label="Validation steps"] > li')
      .evaluateAll((items: { getAttribute(name: string): string | null; textContent: string | null }[]) =>
        items.map((li) => `${li.getAttribute('data-state')} ${li.textContent}`),
      );
    expect(states.filter((s) => !s.startsWith('passed'))).toEqual([]);
    expect(states.some((s) => s.includes('Checking Exchange'))).toBe(true);
    await screen('03-connect-validated');
    await save.click();
    await page.getByText('The tenant connection is saved.').waitFor();
  }, 120_000);

  it('shows the Exchange ActiveSync status: Type of Credential Certificate and the expiry date', async () => {
    await page.getByRole('link', { name: 'See its Exchange ActiveSync status' }).click();
    await page.getByRole('heading', { name: 'Exchange ActiveSync' }).waitFor();
    await expect(page.getByTestId('credential-type').first().textContent()).resolves.toBe('Certificate');
    const expiry = await page.getByTestId('certificate-expiry').first().textContent({ timeout: 20_000 });
    expect(expiry).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await screen('04-exchange-status');
  }, 60_000);

  it('switches Exchange alerting on for the tenant', async () => {
    await page.getByRole('link', { name: 'Health check configuration' }).click();
    await page.getByRole('heading', { name: 'Exchange alerting' }).waitFor();
    // Nothing listens there (our port range): deliveries fail and are recorded, nobody else is reached.
    await page.getByLabel(/^Alertmanager URL/).fill(`http://127.0.0.1:${PORTS.alertmanager}`);
    // A controlled switch: it turns on once the subscription exists.
    await page.getByRole('switch', { name: 'Exchange alerting' }).click();
    await page.getByRole('status').filter({ hasText: 'Subscribed' }).waitFor();
    await expect(page.getByRole('switch', { name: 'Exchange alerting' }).isChecked()).resolves.toBe(true);
    await screen('05-exchange-alerting');
  }, 60_000);

  it('shows a device blocked with its Why after a non-compliant MDM event', async () => {
    const devices = await sandbox<{ value: { DeviceId: string; Mailbox: string }[] }>('GET', '/devices');
    const device = devices.value[0];
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    execFileSync(
      'node',
      [
        'tools/bin/easgate.js',
        'mdm',
        'send',
        '--url',
        `http://127.0.0.1:${PORTS.translator}`,
        '--tenant',
        'sandbox.onmicrosoft.com',
        '--upn',
        device.Mailbox,
        '--device',
        'mdm-console-1',
        '--eas-id',
        device.DeviceId,
        '--state',
        'noncompliant',
        '--reason',
        'jailbroken',
      ],
      { cwd: ROOT, env: { ...process.env, EASGATE_API_TOKEN: token }, stdio: 'pipe' },
    );
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByLabel(/^Mailbox or device id/).fill('mdm-console');
    const row = page.getByTestId('device-row-mdm-console-1');
    await waitFor(
      'the device in the list, blocked',
      async () => {
        await page.getByRole('button', { name: 'Search' }).click();
        const text = await row.textContent({ timeout: 2_000 }).catch(() => null);
        return text?.includes('Blocked') && text.includes('block-device');
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    await expect(page.getByText(/^Devices 1–1 of 1$/).count()).resolves.toBe(1);
    await row.getByRole('button', { name: 'Why? mdm-console-1' }).click();
    const access = await page.getByTestId('exchange-access').textContent();
    expect(access).toBe('Blocked');
    await expect(page.getByTestId('device-why').textContent()).resolves.toContain('jailbroken');
    await screen('06-device-blocked');
  }, 60_000);
});
