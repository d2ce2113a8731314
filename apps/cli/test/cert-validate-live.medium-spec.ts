import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSelfSignedCertificate } from '@easgate/auth';
import { type RunningSandbox, startSandbox } from '@easgate/exo-sandbox';
import type { ValidationStep } from '@easgate/validation-pipeline';
import { Agent, fetch } from 'undici';

const ROOT = resolve(__dirname, '../../..');
const PASSWORD = 'Kennwort für den Test';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The real `easgate` entry point, run asynchronously: the sandbox answers from this very process. */
function easgate(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'tools/bin/easgate.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (status) => ok({ status, stdout, stderr }));
  });
}

describe('easgate cert validate --live against the sandbox over HTTPS', () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let pfx: string;
  let appId: string;
  let agent: Agent;

  const live = (extra: string[] = [], file = pfx) =>
    easgate(
      [
        'cert',
        'validate',
        '--live',
        file,
        '--tenant',
        sandbox.tenantId,
        '--organization',
        sandbox.organization,
        '--client-id',
        appId,
        '--authority-host',
        sandbox.baseUrl,
        '--exchange-endpoint',
        sandbox.baseUrl,
        '--ca-file',
        sandbox.caPath,
        '--certificate-password-env',
        'PFX_PASSWORD',
        ...extra,
      ],
      { PFX_PASSWORD: PASSWORD },
    );
  const admin = (method: string, path: string) =>
    fetch(`${sandbox.baseUrl}/_sandbox${path}`, { method, dispatcher: agent });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'easgate-cli-live-'));
    const created = await createSelfSignedCertificate({
      subject: 'CN=easgate cli live',
      password: PASSWORD,
      now: new Date(),
    });
    pfx = join(dir, 'easgate.pfx');
    writeFileSync(pfx, created.pfx);
    appId = randomUUID();
    sandbox = await startSandbox({
      tlsDir: join(dir, 'tls'),
      mailboxes: 5,
      devices: 5,
      apps: [{ appId, certificates: [created.pem] }],
    });
    agent = new Agent({ connect: { ca: sandbox.caPem } });
  });

  afterAll(async () => {
    await agent.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints every step green, from the file to the mailbox scope, and exits 0', async () => {
    const run = await live();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const label of [
      'PASS  File and password',
      'PASS  Private key matches the certificate',
      'PASS  Validity dates and days left',
      'PASS  Key size and signature algorithm',
      'PASS  Token request to Entra ID',
      'PASS  Checking Exchange (Get-OrganizationConfig, read-only)',
      'PASS  Permission to run Set-CASMailbox',
      'PASS  Mailbox scope',
    ])
      expect(run.stdout).toContain(label);
    expect(run.stdout).toContain('Validate Certificate: every step passed.');
  });

  it('turns the token step red with AADSTS7000229 explained and its fix once consent is revoked, and exits 1', async () => {
    expect((await admin('DELETE', `/apps/${appId}/service-principal`)).status).toBe(200);
    try {
      const run = await live(['--json']);
      expect(run.status).toBe(1);
      const report = JSON.parse(run.stdout) as { ok: boolean; steps: ValidationStep[] };
      expect(report.ok).toBe(false);
      expect(report.steps.find((s) => s.id === 'token')).toMatchObject({
        state: 'failed',
        code: 'AADSTS7000229',
        message: expect.stringContaining('revoked'),
        fix: expect.stringContaining('Grant admin consent'),
      });
      expect(report.steps.find((s) => s.id === 'exchange')?.state).toBe('skipped');
      expect(report.steps.find((s) => s.id === 'mailbox-scope')?.state).toBe('skipped');
    } finally {
      await admin('POST', `/apps/${appId}/service-principal`);
    }
  });

  it('fails the mailbox scope when no mailbox matches it', async () => {
    const run = await live(['--scope-filter', "Alias -eq 'nobody-is-called-this'"]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/FAIL {2}Mailbox scope .*SCOPE_EMPTY/);
    expect(run.stdout).toContain('fix: Check the scope');
  });

  it('stops at the file step for a wrong password, skipping the token and Exchange', async () => {
    const passwordFile = join(dir, 'wrong-password.txt');
    writeFileSync(passwordFile, 'not the password\n');
    const wrong = await easgate([
      'cert',
      'validate',
      '--live',
      pfx,
      '--tenant',
      sandbox.organization,
      '--client-id',
      appId,
      '--certificate-password-file',
      passwordFile,
      '--json',
    ]);
    expect(wrong.status).toBe(1);
    const report = JSON.parse(wrong.stdout) as { steps: ValidationStep[] };
    expect(report.steps[0]).toMatchObject({ id: 'file', state: 'failed', code: 'WRONG_PASSWORD' });
    expect(report.steps.slice(1).every((s) => s.state === 'skipped')).toBe(true);
  });
});
