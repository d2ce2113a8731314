import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import forge from 'node-forge';
import type { Page } from 'playwright-core';
import { waitFor } from '@easgate/testing';
import { type ConsoleWorld, startConsoleWorld } from './console-world';

/** A PKCS#12 file (certificate + key) protected by `password`, valid for `days`. */
function pfxFile(path: string, password: string, days: number): void {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 3_600_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
  const name = [{ name: 'commonName', value: 'easgate imported (console test)' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  cert.sign(key, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, { algorithm: '3des' });
  writeFileSync(path, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
}

/** An Alertmanager stand-in on loopback: records what is posted to /api/v2/alerts. */
async function alertReceiver(port: number) {
  const received: { path: string; body: unknown }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  return { received, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/**
 * The operations screens in Chromium against `easgate start` with its sandbox tenant connected: a staged
 * rotation from the Exchange ActiveSync status (Graph addKey in the sandbox's Entra app, token check with
 * the new key, activation), Exchange alerting's destinations with "send test alert" (delivered, and a
 * coded failure) and the current alerts with acknowledge and silence, and the Certificates screen
 * (create, download .cer/.pem, import a PFX with its password, activate, retire).
 */
describe('the operations screens in Chromium', () => {
  const portBase = 22200;
  // Two ports of the spec's block: a receiver, and one where nothing listens.
  const receiverPort = portBase + 6;
  const deadPort = portBase + 7;
  let world: ConsoleWorld;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof alertReceiver>>;

  beforeAll(async () => {
    receiver = await alertReceiver(receiverPort);
    world = await startConsoleWorld({
      name: 'operations',
      portBase,
      sandboxTenantConnected: true,
      // Both are on loopback: the operator admits them as destinations (SSRF guard).
      env: { ALERTING_ALLOWED_DESTINATION_HOSTS: `127.0.0.1:${receiverPort},127.0.0.1:${deadPort}` },
    });
    page = world.page;
    await world.signInAsFirstAdmin('/exchange');
  }, 240_000);

  afterAll(async () => {
    await world?.stop();
    await receiver?.close();
  }, 60_000);

  const rows = (status: string) => page.locator(`tr[data-status="${status}"]`);

  it('starts a staged rotation from the Exchange ActiveSync status and shows each step done', async () => {
    await page.getByRole('heading', { name: 'Exchange ActiveSync' }).waitFor();
    const before = await page.getByTestId('certificate-expiry').textContent({ timeout: 20_000 });
    await expect(page.getByTestId('rotation-state').textContent()).resolves.toBe('never rotated');
    // The sandbox's app is known by its object id: the new key goes to Entra through Graph.
    const graph = page.getByRole('checkbox', {
      name: 'Add the new key to the Entra app through Microsoft Graph',
    });
    await expect(graph.isChecked()).resolves.toBe(true);
    await page.getByLabel('Validity of the new certificate (days)').fill('10');

    await page.getByRole('button', { name: 'Start staged rotation' }).focus();
    await page.keyboard.press('Enter');

    await page.getByTestId('rotation-state').filter({ hasText: 'Completed' }).waitFor({ timeout: 60_000 });
    const steps = await page
      .locator('ol[aria-label="Rotation steps"] > li')
      .evaluateAll((items: { getAttribute(name: string): string | null }[]) =>
        items.map((li) => li.getAttribute('data-state')),
      );
    expect(steps).toEqual(['done', 'done', 'done', 'done']);
    // The new certificate is the active one: 10 days left instead of the first one's year.
    await waitFor(
      'the status to show the new certificate',
      async () => (await page.getByTestId('certificate-expiry').textContent()) !== before,
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    await page.getByText(/^(9|10) days left$/).waitFor();
    await world.screen('operations-1-exchange-rotation');
  }, 120_000);

  it("shows the executor's Exchange activity: last call, discovery and inventory, throttling, circuit, backlog", async () => {
    const row = (key: string) => page.getByTestId(`exchange-${key}`);
    await row('circuit').waitFor();
    // An inventory of the sandbox tenant (by its domain: the status matches the id and the domain).
    await world.service('exchange-executor', 'POST', `/v1/tenants/${world.sandboxTenant}/discovery`);

    // The screen refreshes the status every 10 s.
    await row('discovery')
      .filter({ hasText: /Completed .* UTC: \d+ mailbox(es)?, \d+ devices?/ })
      .waitFor({
        timeout: 40_000,
      });

    await expect(row('last-call').textContent()).resolves.toMatch(
      /UTC \(\d+ s ago, Get-(CASMailbox|MobileDevice)\)$/,
    );
    await expect(row('inventory').textContent()).resolves.toMatch(/\d+ mailboxes?, last observed .* UTC$/);
    await expect(row('throttling').textContent()).resolves.toMatch(/not throttled/);
    await expect(row('circuit').textContent()).resolves.toContain('Closed: calls go through');
    await expect(row('backlog').textContent()).resolves.toContain('no command waiting');
    await world.screen('operations-0-exchange-status');
  }, 90_000);

  it('waits in a manual rotation until the administrator confirms the .cer is in Entra, and rolls back when the key is not accepted', async () => {
    await page
      .getByRole('checkbox', { name: 'Add the new key to the Entra app through Microsoft Graph' })
      .uncheck();
    // A certificate uploaded by hand is never verified right away: the upload is confirmed first.
    const rightAway = page.getByRole('checkbox', { name: 'Verify and activate right away' });
    await expect(rightAway.isDisabled()).resolves.toBe(true);
    await expect(rightAway.isChecked()).resolves.toBe(false);
    await page.getByLabel('Validity of the new certificate (days)').fill('365');
    await page.getByRole('button', { name: 'Start staged rotation' }).click();

    await page.getByTestId('rotation-state').filter({ hasText: 'Started' }).waitFor({ timeout: 30_000 });
    const confirmation = page.getByTestId('upload-confirmation');
    await confirmation.getByRole('link', { name: 'download the new .cer' }).waitFor();
    // The new certificate's thumbprint, to find it again among the app's certificates in Entra.
    await expect(confirmation.getByTestId('incoming-thumbprint').textContent()).resolves.toMatch(
      /^[0-9A-F]{40}$/,
    );
    const verify = page.getByRole('button', { name: 'Verify and activate' });
    await expect(verify.isDisabled()).resolves.toBe(true);
    await world.screen('operations-1a-exchange-rotation-confirm-upload');
    // The administrator says it is uploaded without having done it: Entra refuses the new key.
    await confirmation
      .getByRole('checkbox', { name: 'I have uploaded the new certificate to the app in Entra' })
      .focus();
    await page.keyboard.press('Space');
    await expect(verify.isEnabled()).resolves.toBe(true);
    await verify.click();
    await page.getByTestId('rotation-state').filter({ hasText: 'Rolled back' }).waitFor({ timeout: 60_000 });
    const steps = page.locator('ol[aria-label="Rotation steps"] > li');
    await expect(
      steps.evaluateAll((items: { getAttribute(name: string): string | null }[]) =>
        items.map((li) => li.getAttribute('data-state')),
      ),
    ).resolves.toEqual(['done', 'skipped', 'failed', 'skipped']);
    await expect(steps.nth(2).textContent()).resolves.toMatch(/verification token request failed: .*AADSTS/);
    // The rotated certificate is still the active one.
    await page.getByText(/^(9|10) days left$/).waitFor();
    await world.screen('operations-1b-exchange-rotation-rolled-back');
  }, 120_000);

  it('sends a test alert to each destination: delivered, or the coded reason it was not', async () => {
    await page.getByRole('link', { name: 'Health check configuration' }).click();
    await page.getByRole('heading', { name: 'Exchange alerting' }).waitFor();
    await page.getByLabel(/^Alertmanager URL/).fill(`http://127.0.0.1:${receiverPort}`);
    await page.getByRole('switch', { name: 'Exchange alerting' }).click();
    await page.getByRole('status').filter({ hasText: 'Subscribed' }).waitFor();

    await page
      .getByRole('button', { name: 'Send test alert to Exchange alerting (credential expiry)' })
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Delivered \(alertmanager, \d+ ms\)$/ })
      .waitFor();
    const tests = receiver.received.filter((r) =>
      JSON.stringify(r.body).includes('"alertname":"test-alert"'),
    );
    expect(tests.map((r) => r.path)).toEqual(['/api/v2/alerts']);

    // A webhook where nothing listens, added with the keyboard.
    await page.getByLabel(/^Name/).fill('Broken webhook');
    await page.getByLabel(/^URL/).fill(`http://127.0.0.1:${deadPort}/hook`);
    await page.getByLabel(/^Signing secret/).fill('a-webhook-secret-of-some-length');
    await page.getByLabel(/^Signing secret/).press('Enter');
    await page.getByRole('status').filter({ hasText: 'Destination Broken webhook added.' }).waitFor();
    await page.getByRole('button', { name: 'Send test alert to Broken webhook' }).click();
    const failure = page.getByRole('status').filter({ hasText: 'DESTINATION_UNREACHABLE' });
    await failure.waitFor({ timeout: 30_000 });
    await expect(failure.textContent()).resolves.toContain(`127.0.0.1:${deadPort} refused the connection`);
    await world.screen('operations-2-alerting-test-alerts');
  }, 90_000);

  it('acknowledges and silences the credential-expiry alert the 10-day certificate raised', async () => {
    const alert = page.getByTestId('alert-certificate-expiring');
    await alert.waitFor({ timeout: 30_000 });
    await alert.getByRole('button', { name: /^Acknowledge/ }).click();
    await alert.getByTestId('alert-state').filter({ hasText: 'Acknowledged by' }).waitFor();
    await alert.getByLabel(/^Silence for/).selectOption({ label: '1 day' });
    await alert.getByRole('button', { name: /^Silence:/ }).click();
    await alert.getByTestId('alert-state').filter({ hasText: 'Silenced until' }).waitFor();
    await world.screen('operations-3-alerting-current-alerts');
  }, 60_000);

  it('manages the certificates of the connection: create, download, import a PFX, activate, retire', async () => {
    await page.getByRole('link', { name: 'Certificates' }).click();
    await page.getByRole('heading', { name: 'Certificates', exact: true }).waitFor();
    await rows('active').first().waitFor();
    await expect(rows('retiring').count()).resolves.toBe(1);

    // Create one in the vault, download its public parts.
    await page.getByLabel(/^Subject/).fill('CN=easgate console test');
    await page.getByRole('button', { name: 'Create certificate in the vault' }).click();
    await page.getByRole('status').filter({ hasText: 'The certificate is created in the vault.' }).waitFor();
    const created = rows('pending');
    await created.waitFor();
    const [pem] = await Promise.all([
      page.waitForEvent('download'),
      created.getByRole('link', { name: /^Download \.pem/ }).click(),
    ]);
    expect(readFileSync(await pem.path(), 'utf8')).toContain('-----BEGIN CERTIFICATE-----');
    const [cer] = await Promise.all([
      page.waitForEvent('download'),
      created.getByRole('link', { name: /^Download \.cer/ }).click(),
    ]);
    expect(cer.suggestedFilename()).toMatch(/\.cer$/);
    expect(readFileSync(await cer.path())[0]).toBe(0x30); // DER: a SEQUENCE

    // Retire it (never registered anywhere). The dialog closes with Escape, and opens again from the keyboard.
    await created.getByRole('button', { name: /^Retire/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Retire this certificate?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await created.getByRole('button', { name: /^Retire/ }).focus();
    await page.keyboard.press('Enter');
    await dialog.getByLabel(/^Reason/).fill('not needed');
    await world.screen('operations-4-certificates-retire-dialog');
    await dialog.getByRole('button', { name: 'Retire' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /is retired\.$/ })
      .waitFor();
    await expect(rows('pending').count()).resolves.toBe(0);

    // Import a PFX with its password.
    const pfx = join(world.dataDir, 'imported.pfx');
    pfxFile(pfx, 'pfx-password-123', 90);
    await page.locator('input[type="file"]').setInputFiles(pfx);
    await page.getByLabel(/^PFX password/).fill('pfx-password-123');
    await page.getByRole('button', { name: 'Import certificate' }).click();
    await page.getByRole('status').filter({ hasText: 'The certificate is imported.' }).waitFor();
    const imported = rows('pending');
    await imported.waitFor();
    await expect(imported.textContent()).resolves.toContain('easgate imported (console test)');
    const importedThumbprint = await imported.getAttribute('data-testid');
    const rotatedThumbprint = await rows('active').getAttribute('data-testid');

    // Activate it: the rotated one starts retiring; then back, and retire the imported one.
    await imported.getByRole('button', { name: /^Activate/ }).click();
    const activate = page.getByRole('dialog', { name: 'Activate this certificate?' });
    await activate.getByLabel(/^Overlap/).fill('1');
    await activate.getByRole('button', { name: 'Activate' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /is active\.$/ })
      .waitFor();
    await expect(rows('active').getAttribute('data-testid')).resolves.toBe(importedThumbprint);
    await page
      .getByTestId(rotatedThumbprint!)
      .getByRole('button', { name: /^Activate/ })
      .click();
    await activate.getByRole('button', { name: 'Activate' }).click();
    await waitFor(
      'the rotated certificate active again',
      async () => (await rows('active').getAttribute('data-testid')) === rotatedThumbprint,
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    await page
      .getByTestId(importedThumbprint!)
      .getByRole('button', { name: /^Retire/ })
      .click();
    await dialog.getByRole('button', { name: 'Retire' }).click();
    await waitFor(
      'the imported certificate retired',
      async () => (await page.getByTestId(importedThumbprint!).getAttribute('data-status')) === 'retired',
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    await world.screen('operations-5-certificates');
  }, 120_000);

  it('offers an auditor no change: every write button disabled or absent, with the reason', async () => {
    const auditor = { id: 'auditor', password: 'an auditor password of some length' };
    world.addConsoleUser({ ...auditor, roles: ['auditor'] });
    await world.signInAs(auditor, '/exchange');
    const WRITES =
      /^(Start staged rotation|Verify and activate|Send test alert|Add destination|Acknowledge|Silence|Activate|Retire|Import certificate|Create certificate|Upload certificate|Save rules|Replay|Validate Certificate|Save)\b/;
    /** The write buttons of the screen, and those of them a click would reach. */
    const writeButtons = async () => {
      const buttons = await page
        .getByRole('button')
        .evaluateAll(
          (
            all: { getAttribute(n: string): string | null; textContent: string | null; disabled?: boolean }[],
          ) =>
            all.map((b) => ({
              name: (b.getAttribute('aria-label') ?? b.textContent ?? '').trim(),
              disabled: b.disabled === true,
            })),
        );
      const writes = buttons.filter((b) => WRITES.test(b.name));
      return {
        writes: writes.map((b) => b.name),
        enabled: writes.filter((b) => !b.disabled).map((b) => b.name),
      };
    };
    const screens: { path: string; heading: string; shown: RegExp[] }[] = [
      { path: '/exchange', heading: 'Exchange ActiveSync', shown: [/^Start staged rotation/] },
      {
        path: '/alerting',
        heading: 'Health check configuration',
        shown: [/^Send test alert/, /^Acknowledge/],
      },
      { path: '/certificates', heading: 'Certificates', shown: [/^Retire/] },
      { path: '/rules', heading: 'Rules', shown: [/^Save rules/] },
      { path: '/dead-letters', heading: 'Dead letters', shown: [/^Replay all/] },
      { path: '/connect', heading: 'Connect a tenant', shown: [/^Validate Certificate/] },
    ];
    for (const screen of screens) {
      await world.open(screen.path);
      await page.getByRole('heading', { name: screen.heading, exact: true }).waitFor();
      const notice = page.getByTestId('read-only-notice').first();
      await notice.waitFor({ timeout: 20_000 });
      await expect(notice.textContent()).resolves.toContain('you are signed in as auditor');
      // The screen's data is in: the buttons it would offer an operator are there, disabled.
      for (const shown of screen.shown)
        await waitFor(
          `${screen.path}: ${String(shown)} shown`,
          async () => (await writeButtons()).writes.some((name) => shown.test(name)),
          { timeoutMs: 20_000, intervalMs: 250 },
        );
      expect({ screen: screen.path, enabled: (await writeButtons()).enabled }).toEqual({
        screen: screen.path,
        enabled: [],
      });
      if (screen.path === '/alerting') {
        await expect(page.getByRole('switch', { name: 'Exchange alerting' }).isDisabled()).resolves.toBe(
          true,
        );
        await expect(page.getByRole('heading', { name: 'Add a destination' }).count()).resolves.toBe(0);
      }
      if (screen.path === '/exchange' || screen.path === '/alerting')
        await world.screen(`operations-6-auditor${screen.path.replace('/', '-')}`);
    }
  }, 180_000);
});
