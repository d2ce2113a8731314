import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { waitFor } from '@easgate/testing';
import type { Page } from 'playwright-core';
import { type ConsoleWorld, ROOT, startConsoleWorld } from './console-world';

/**
 * The records screens in Chromium against `easgate start` (embedded bus, SQLite) and the sandbox: the
 * translator's rules (what-if preview, save against a version, a conflict said plainly, history), a full
 * wipe the executor refuses landing in its dead letters and replayed from the console, and the vault's
 * audit log with its filters and "Verify chain", intact and then tampered with.
 */
describe('the records screens in Chromium', () => {
  let world: ConsoleWorld;
  let page: Page;

  beforeAll(async () => {
    world = await startConsoleWorld({ name: 'records', portBase: 22220, sandboxTenantConnected: true });
    page = world.page;
    await world.signInAsFirstAdmin('/rules');
  }, 240_000);

  afterAll(() => world?.stop(), 60_000);

  const rulesEditor = () => page.getByLabel(/^Rules \(JSON\)/);

  async function editRules(change: (rules: Record<string, unknown>) => void): Promise<void> {
    const rules = JSON.parse(await rulesEditor().inputValue()) as Record<string, unknown>;
    change(rules);
    await rulesEditor().fill(JSON.stringify(rules, null, 2));
  }

  it('previews a rules change, saves it against its version, and says plainly when someone saved in between', async () => {
    await page.getByRole('heading', { name: 'Current rules' }).waitFor();
    await expect(page.getByTestId('rules-version').textContent()).resolves.toContain('Editing version 0');
    await editRules((rules) => (rules['allowFullWipe'] = true));

    await page.getByRole('button', { name: 'Preview changes' }).click();
    await expect(page.getByTestId('preview-summary').textContent()).resolves.toMatch(/device\(s\) evaluated/);
    await page.getByRole('button', { name: 'Save rules' }).click();
    await expect(page.getByTestId('rules-message').textContent()).resolves.toMatch(/^Saved as version 1/);

    // Someone else saves version 2 meanwhile; this editor still works from version 1.
    const current = await world.service<{ rules: Record<string, unknown> }>(
      'policy-translator',
      'GET',
      `/v1/tenants/${world.sandboxTenant}/rules`,
    );
    await world.service('policy-translator', 'PUT', `/v1/tenants/${world.sandboxTenant}/rules`, {
      rules: { ...current.rules, mailboxPolicies: { executives: 'Strict' } },
      expectedVersion: 1,
    });
    await editRules((rules) => (rules['trustEnrolledBeforeVerdict'] = true));
    await page.getByRole('button', { name: 'Save rules' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'Version conflict' });
    await expect(conflict.textContent()).resolves.toContain(
      'after you loaded version 1, so nothing was saved',
    );
    await page.getByTestId('rules-history-2').waitFor();
    await screen('records-rules-conflict');

    await page.getByRole('button', { name: 'Load the current rules' }).click();
    await page.getByTestId('rules-version').filter({ hasText: 'Editing version 2' }).waitFor();
    await expect(rulesEditor().inputValue()).resolves.toContain('"executives": "Strict"');
  }, 120_000);

  it('lists the full wipe the executor refused among its dead letters, with why, and replays it', async () => {
    const devices = await world.sandbox<{ value: { DeviceId: string; Mailbox: string }[] }>(
      'GET',
      '/devices',
    );
    const device = devices.value[0];
    // The rules saved above allow full wipes; the executor has not enabled them for the tenant.
    execFileSync(
      'node',
      [
        'tools/bin/easgate.js',
        'mdm',
        'send',
        '--url',
        `http://127.0.0.1:${world.ports.translator}`,
        '--tenant',
        world.sandboxTenant,
        '--upn',
        device.Mailbox,
        '--device',
        'mdm-records-1',
        '--eas-id',
        device.DeviceId,
        '--state',
        'full-wipe',
        '--reason',
        'reported lost',
      ],
      { cwd: ROOT, env: { ...process.env, EASGATE_API_TOKEN: world.apiToken }, stdio: 'pipe' },
    );
    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.getByRole('heading', { name: 'Dead letters', level: 1 }).waitFor();
    const executor = page.getByTestId('dead-letters-exchange-executor');
    const refused = executor.locator('tbody tr').filter({ hasText: 'COMMAND_KIND_NOT_ENABLED' });
    await waitFor(
      'the refused full wipe among the executor dead letters',
      async () => {
        await page.reload();
        await executor.waitFor();
        return (await refused.count()) === 1;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    await expect(refused.first().textContent()).resolves.toContain('full-wipe is not enabled');
    await screen('records-dead-letters');

    const key = (await refused.first().locator('td').nth(2).textContent())!;
    await refused
      .first()
      .getByRole('button', { name: `Replay ${key}` })
      .click();
    await expect(page.getByTestId('replay-outcome-exchange-executor').textContent()).resolves.toBe(
      'Exchange executor: replayed 1 dead letter.',
    );
    // The executor gets it again and refuses it again: a second dead letter; the first is marked replayed.
    await waitFor(
      'the replayed command refused again',
      async () => {
        await page.reload();
        await executor.waitFor();
        return (await refused.count()) === 2;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    await expect(executor.locator('tbody tr').filter({ hasText: 'replayed' }).count()).resolves.toBe(1);
    await expect(
      page
        .getByRole('button', { name: 'Replay all Exchange executor dead letters not replayed yet' })
        .textContent(),
    ).resolves.toBe('Replay all (1)');
  }, 120_000);

  it('filters the audit log and verifies its chain: intact, then broken at the entry changed behind its back', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.locator('tbody tr').first().waitFor();
    const actor = (await page.locator('tbody tr').first().locator('td').nth(2).textContent())!;
    await page.getByRole('combobox', { name: 'Outcome' }).click();
    await page.getByRole('option', { name: 'success' }).click();
    await page.getByLabel(/^Actor/).fill(actor);
    await page.getByLabel(/^Actor/).press('Enter');
    await waitFor('only the successes of that actor', async () => {
      const rows = await page.locator('tbody tr td:nth-child(3)').allTextContents();
      const outcomes = await page.locator('tbody tr td:nth-child(5)').allTextContents();
      return rows.length > 0 && rows.every((r) => r === actor) && outcomes.every((o) => o === 'success');
    });

    // Keyboard only: focus the button and press Enter.
    await page.getByRole('button', { name: 'Verify chain' }).focus();
    await page.keyboard.press('Enter');
    const verdict = page.getByTestId('chain-verdict');
    await expect(verdict.textContent()).resolves.toMatch(/^The audit chain is intact\d+ entr/);
    await screen('records-audit');

    const db = new Database(join(world.dataDir, 'cert-vault.sqlite'));
    try {
      db.prepare("UPDATE vault_audit_log SET actor = 'mallory' WHERE seq = 1").run();
    } finally {
      db.close();
    }
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await waitFor('the broken verdict', async () =>
      ((await verdict.textContent()) ?? '').startsWith('The audit chain is broken at entry 1'),
    );
    await expect(verdict.textContent()).resolves.toContain('row 1 was changed after it was written');
    await screen('records-audit-broken');
  }, 120_000);

  function screen(name: string): Promise<void> {
    return world.screen(name);
  }
});
