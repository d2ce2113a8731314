import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSelfSignedCertificate } from '@easgate/auth';
import { type RunningSandbox, startSandbox } from '@easgate/exo-sandbox';

const easgate = resolve(__dirname, '../../../tools/bin/easgate.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawned asynchronously: the sandbox answering it lives in this process. */
function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [easgate, ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe('easgate exchange', () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let appId: string;
  let connection: string[];
  const env = { EXO_PFX_PASSWORD: 'pässwörd' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'exo-cli-'));
    const cert = await createSelfSignedCertificate({
      subject: 'CN=easgate-cli',
      password: env.EXO_PFX_PASSWORD,
      now: new Date(),
    });
    writeFileSync(join(dir, 'app.pfx'), cert.pfx);
    appId = randomUUID();
    sandbox = await startSandbox({
      tlsDir: join(dir, 'tls'),
      port: 0,
      mailboxes: 12,
      devices: 30,
      seed: 3,
      apps: [{ appId, certificates: [cert.pem] }],
    });
    connection = [
      '--app-id',
      appId,
      '--organization',
      sandbox.organization,
      '--certificate-file-path',
      join(dir, 'app.pfx'),
      '--certificate-password-env',
      'EXO_PFX_PASSWORD',
      '--authority-host',
      sandbox.baseUrl,
      '--connection-uri',
      sandbox.baseUrl,
      '--ca-file',
      sandbox.caPath,
    ];
  });

  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('invoke --json prints one JSON array holding every page', async () => {
    const sut = await run(
      [
        'exchange',
        'invoke',
        'Get-MobileDevice',
        '--param',
        'ResultSize=Unlimited',
        '--page-size',
        '7',
        '--json',
        ...connection,
      ],
      env,
    );
    expect(sut.stderr).toBe('');
    expect(sut.code).toBe(0);
    const devices = JSON.parse(sut.stdout) as { DeviceId: string }[];
    expect(devices).toHaveLength(30);
    expect(new Set(devices.map((d) => d.DeviceId)).size).toBe(30);
  });

  it('sends a JSON object value as JSON (GenericHashTable Add)', async () => {
    const mailbox = sandbox.sandbox.store.mailboxBySeq(1);
    const sut = await run(
      [
        'exchange',
        'invoke',
        'Set-CASMailbox',
        '--param',
        `Identity=${mailbox!.userPrincipalName}`,
        '--param',
        'ActiveSyncBlockedDeviceIDs={"@odata.type":"#Exchange.GenericHashTable","Add":["ApplCLI0000000001"]}',
        '--json',
        ...connection,
      ],
      env,
    );
    expect(sut.code).toBe(0);
    const cas = await run(
      [
        'exchange',
        'invoke',
        'Get-CASMailbox',
        '--param',
        `Identity=${mailbox!.userPrincipalName}`,
        '--json',
        ...connection,
      ],
      env,
    );
    expect(
      (JSON.parse(cas.stdout) as { ActiveSyncBlockedDeviceIDs: string[] }[])[0].ActiveSyncBlockedDeviceIDs,
    ).toContain('ApplCLI0000000001');
  });

  it('exits 2 with the typed code and Microsoft text when Exchange refuses', async () => {
    const sut = await run(
      ['exchange', 'invoke', 'Get-CASMailbox', '--param', 'Identity=nobody-here', '--json', ...connection],
      env,
    );
    expect(sut.code).toBe(2);
    expect(sut.stdout).toBe('');
    expect(JSON.parse(sut.stderr)).toMatchObject({
      code: 'EXO_NOT_FOUND',
      status: 404,
      message: expect.stringMatching(/couldn't be found/),
    });
  });

  it('test --json reports every step passed for a consented Exchange Administrator app', async () => {
    const sut = await run(['exchange', 'test', '--json', ...connection], env);
    expect(sut.code).toBe(0);
    const report = JSON.parse(sut.stdout) as { ok: boolean; steps: { id: string; state: string }[] };
    expect(report.ok).toBe(true);
    expect(report.steps.slice(0, 2)).toEqual([
      expect.objectContaining({ id: 'token', state: 'passed' }),
      expect.objectContaining({ id: 'exchange', state: 'passed' }),
    ]);
    expect(report.steps.every((s) => s.state === 'passed')).toBe(true);
  });

  it('test tells the admin what to fix when the certificate is not registered', async () => {
    const other = await createSelfSignedCertificate({
      subject: 'CN=other',
      password: env.EXO_PFX_PASSWORD,
      now: new Date(),
    });
    writeFileSync(join(dir, 'other.pfx'), other.pfx);
    const args = connection.map((a) => (a === join(dir, 'app.pfx') ? join(dir, 'other.pfx') : a));
    const sut = await run(['exchange', 'test', ...args], env);
    expect(sut.code).toBe(2);
    expect(sut.stdout).toMatch(/FAIL {2}Token request to Entra ID \(\d+ ms\) — AADSTS700027/);
    expect(sut.stdout).toMatch(/fix: Upload the \.cer/);
    expect(sut.stdout).toMatch(/SKIP {2}Checking Exchange/);
  });

  it('exits 1 when no password source is given', async () => {
    const args = connection.filter((a) => a !== '--certificate-password-env' && a !== 'EXO_PFX_PASSWORD');
    const sut = await run(['exchange', 'test', ...args], env);
    expect(sut.code).toBe(1);
    expect(sut.stderr).toMatch(/password source is required/);
  });
});
