import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { waitFor } from '@easgate/testing';
import { type ConsoleWorld, startConsoleWorld } from './console-world';

/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) against `easgate start`
 * with the Exchange sandbox: first sign-in, the whole Connect-a-tenant wizard, the status page, Exchange
 * alerting, and a blocked device with its Why. Each screen is photographed under dist/console-screenshots/
 * and checked with axe-core (no serious or critical violation).
 */
describe('the easgate console in Chromium', () => {
  let world: ConsoleWorld;
  let page: Page;
  let alertmanagerPort: number;
  let setupUrl: string;

  beforeAll(async () => {
    const portBase = 22180;
    alertmanagerPort = portBase + 19;
    world = await startConsoleWorld({
      name: 'console',
      portBase,
      // A local Alertmanager is on loopback: the operator admits it as a destination (SSRF guard).
      env: { ALERTING_ALLOWED_DESTINATION_HOSTS: `127.0.0.1:${alertmanagerPort}` },
    });
    page = world.page;
    setupUrl = world.setupUrl;
  }, 240_000);

  afterAll(() => world?.stop(), 60_000);

  const screen = (name: string) => world.screen(name);
  const sandbox = <T>(method: string, path: string, body?: unknown) => world.sandbox<T>(method, path, body);

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
        (await steps.count()) > 5 &&
        // Every step is listed (pending) from the start; settled = none pending or running.
        (await steps.and(page.locator('[data-state="running"], [data-state="pending"]')).count()) === 0,
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
    await page.getByLabel(/^Alertmanager URL/).fill(`http://127.0.0.1:${alertmanagerPort}`);
    // A controlled switch: it turns on once the subscription exists.
    await page.getByRole('switch', { name: 'Exchange alerting' }).click();
    await page.getByRole('status').filter({ hasText: 'Subscribed' }).waitFor();
    await expect(page.getByRole('switch', { name: 'Exchange alerting' }).isChecked()).resolves.toBe(true);
    await screen('05-exchange-alerting');
  }, 60_000);

  it('shows a device blocked with its Why after a non-compliant MDM event', async () => {
    const devices = await sandbox<{ value: { DeviceId: string; Mailbox: string }[] }>('GET', '/devices');
    const device = devices.value[0];
    execFileSync(
      'node',
      [
        'tools/bin/easgate.js',
        'mdm',
        'send',
        '--url',
        `http://127.0.0.1:${world.ports.translator}`,
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
      { cwd: world.root, env: { ...process.env, EASGATE_API_TOKEN: world.apiToken }, stdio: 'pipe' },
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
