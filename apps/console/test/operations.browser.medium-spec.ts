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

  it('waits in a manual rotation for the .cer in Entra, and rolls back when the new key is not accepted', async () => {
    await page
      .getByRole('checkbox', { name: 'Add the new key to the Entra app through Microsoft Graph' })
      .uncheck();
    await page.getByRole('checkbox', { name: 'Verify and activate right away' }).uncheck();
    await page.getByLabel('Validity of the new certificate (days)').fill('365');
    await page.getByRole('button', { name: 'Start staged rotation' }).click();

    await page.getByTestId('rotation-state').filter({ hasText: 'Started' }).waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'download the new .cer' }).waitFor();
    // The administrator verifies without having uploaded it: Entra refuses the new key.
    await page.getByRole('button', { name: 'Verify and activate' }).click();
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
});
