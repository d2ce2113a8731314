import { randomUUID } from 'node:crypto';
import { createSelfSignedCertificate } from '@easgate/auth';
import { waitFor } from '@easgate/testing';
import type { Page } from 'playwright-core';
import { type ConsoleWorld, startConsoleWorld } from './console-world';

/**
 * Validate Certificate when it goes wrong, in Chromium against `easgate start` and the sandbox:
 * consent revoked in Entra turns the token step red with its AADSTS code explained and the fix; a
 * certificate that expires in 10 days raises the credential-expiry alert the console shows.
 */
describe('Validate Certificate and the expiry alert in Chromium', () => {
  let world: ConsoleWorld;
  let page: Page;
  let alertmanagerPort: number;
  const appId = randomUUID();

  beforeAll(async () => {
    const portBase = 22240;
    alertmanagerPort = portBase + 19;
    world = await startConsoleWorld({
      name: 'validation',
      portBase,
      // Nothing listens there (our block): the operator admits it as a destination (SSRF guard).
      env: { ALERTING_ALLOWED_DESTINATION_HOSTS: `127.0.0.1:${alertmanagerPort}` },
    });
    page = world.page;
    await world.signInAsFirstAdmin('/connect');
  }, 240_000);

  afterAll(() => world?.stop(), 60_000);

  const steps = () => page.locator('ol[aria-label="Validation steps"] > li');
  const step = (id: string) => page.locator(`ol[aria-label="Validation steps"] > li[data-step="${id}"]`);

  /** Presses Validate Certificate and waits until no step is pending or running. */
  async function validate(): Promise<void> {
    await page.getByRole('button', { name: 'Validate Certificate' }).click();
    await waitFor(
      'every validation step to settle',
      async () =>
        (await steps().count()) > 5 &&
        (await steps().and(page.locator('[data-state="running"], [data-state="pending"]')).count()) === 0,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }

  it('turns the token step red with AADSTS7000229 explained and its fix once consent is revoked, and green again after consent', async () => {
    await page.getByRole('button', { name: 'Use the sandbox tenant' }).click();
    await page.getByLabel(/^Application \(client\) id/).fill(appId);
    await page.getByRole('button', { name: 'Create certificate' }).click();
    const pem = (await page.getByTestId('certificate-pem').textContent({ timeout: 30_000 }))!;
    await world.sandbox('POST', '/apps', {
      appId,
      displayName: 'easgate (validation test)',
      certificates: [pem],
      consentGranted: true,
      roles: ['Exchange Administrator'],
    });

    // The admin revokes consent in Entra (deletes the enterprise application).
    await world.sandbox('DELETE', `/apps/${appId}/service-principal`);
    await validate();
    await expect(step('token').getAttribute('data-state')).resolves.toBe('failed');
    const token = (await step('token').textContent())!;
    expect(token).toContain('AADSTS7000229');
    expect(token).toContain('admin consent was never granted here, or it was revoked');
    expect(token).toMatch(/Fix: Grant admin consent again/);
    await expect(step('exchange').getAttribute('data-state')).resolves.toBe('skipped');
    await expect(step('file').getAttribute('data-state')).resolves.toBe('passed');
    await expect(page.getByRole('button', { name: 'Save' }).isDisabled()).resolves.toBe(true);
    await world.screen('10-validate-consent-revoked');

    // Consent granted again: every step is green and the connection can be saved.
    await world.sandbox('POST', `/apps/${appId}/service-principal`, { roles: ['Exchange Administrator'] });
    await validate();
    const states = await steps().evaluateAll((items: { getAttribute(name: string): string | null }[]) =>
      items.map((li) => `${li.getAttribute('data-step')}=${li.getAttribute('data-state')}`),
    );
    expect(states.filter((s) => !s.endsWith('=passed'))).toEqual([]);
    expect(states).toContain('mailbox-scope=passed');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The tenant connection is saved.').waitFor();
  }, 180_000);

  it('shows the credential-expiry alert of a certificate that expires in 10 days', async () => {
    await world.open('/alerting');
    await page.getByRole('heading', { name: 'Exchange alerting' }).waitFor();
    await page.getByLabel(/^Alertmanager URL/).fill(`http://127.0.0.1:${alertmanagerPort}`);
    await page.getByRole('switch', { name: 'Exchange alerting' }).click();
    await page.getByRole('status').filter({ hasText: 'Subscribed' }).waitFor();

    // The admin imports a certificate that expires in 10 days (the vault's API, as a script would).
    const password = 'ten days left, then it stops';
    const soon = await createSelfSignedCertificate({
      subject: 'CN=easgate expires soon',
      days: 10,
      password,
      now: new Date(),
    });
    const connections = await world.service<{ id: string; tenantId: string; appId: string }[]>(
      'cert-vault',
      'GET',
      '/v1/tenant-connections',
    );
    const connection = connections.find((c) => c.appId === appId)!;
    await world.service('cert-vault', 'POST', `/v1/tenant-connections/${connection.id}/certificates/import`, {
      pfxBase64: soon.pfx.toString('base64'),
      password,
      activate: true,
    });

    const alerts = page.locator('section[aria-labelledby="current-alerts"]');
    await waitFor(
      'the expiry alert in the console',
      async () =>
        ((await alerts.textContent({ timeout: 2_000 }).catch(() => '')) ?? '').includes(
          'easgate expires soon',
        ),
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    const text = (await alerts.textContent())!;
    expect(text).toMatch(/expires within 14 days/);
    await world.screen('11-alerting-certificate-expires-in-10-days');
  }, 120_000);
});
