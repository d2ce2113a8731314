import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningSandbox, startSandbox } from '@easgate/exo-sandbox';
import { InProcessBus } from '@easgate/messaging';
import { inProcessCredentials, type RunningService, startService } from '@easgate/service-runtime';
import { certVaultService } from '../src';

/** The embedded defaults of `easgate start`: SQLite, the in-process bus, a generated master key. */
describe('cert-vault embedded (SQLite)', () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let bus: InProcessBus;
  let sut: RunningService;
  const apiToken = randomBytes(18).toString('base64url');
  const appId = randomUUID();

  const api = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sut.url}${path}`, {
      method,
      headers: {
        // Only the executor's identity may get client assertions; people use their API token.
        authorization: path.endsWith('/client-assertion')
          ? inProcessCredentials('exchange-executor').authorizationFor('cert-vault')
          : `Bearer ${apiToken}`,
        'content-type': 'application/json',
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cert-vault-embedded-'));
    sandbox = await startSandbox({ tlsDir: join(dir, 'sandbox-tls'), port: 0, mailboxes: 1, devices: 0 });
    sandbox.sandbox.registerApp({
      appId,
      certificates: [],
      consentGranted: true,
      roles: ['Exchange Administrator'],
    });
    bus = new InProcessBus();
    sut = await startService(certVaultService(), {
      bus,
      dataDir: dir,
      port: 0,
      apiToken,
      env: {
        VAULT_EXPIRY_SCANNER: 'false',
        VAULT_AUTO_ROTATE_DAYS: '400',
        EASGATE_ALLOWED_ENDPOINT_HOSTS: new URL(sandbox.baseUrl).host,
        // Lookups kept far longer than the test lasts: a rotation that did not evict them would show.
        VAULT_SIGNING_LOOKUP_CACHE_MS: '60000',
      },
    });
  });

  afterAll(async () => {
    await sut?.close();
    await bus?.close();
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates a 0600 master key, then creates, registers, activates, signs and rotates automatically on SQLite', async () => {
    expect(statSync(join(dir, 'vault-master.key')).mode & 0o777).toBe(0o600);
    const objectId = sandbox.sandbox.directory.requireApp(appId).objectId;
    const connection = await api<{ id: string }>('POST', '/v1/tenant-connections', {
      tenantId: sandbox.tenantId,
      appId,
      organization: sandbox.organization,
      authorityHost: sandbox.baseUrl,
      graphUrl: sandbox.baseUrl,
      applicationObjectId: objectId,
    });
    const created = await api<{ id: string; thumbprintSha1: string }>(
      'POST',
      `/v1/tenant-connections/${connection.body.id}/certificates`,
      {
        subject: 'CN=embedded',
      },
    );
    const pem = await fetch(
      `${sut.url}/v1/tenant-connections/${connection.body.id}/certificates/${created.body.id}/public.pem`,
      {
        headers: { authorization: `Bearer ${apiToken}` },
      },
    ).then((r) => r.text());
    sandbox.sandbox.addCertificate(appId, pem);

    const live = await api<{ valid: boolean }>(
      'POST',
      `/v1/tenant-connections/${connection.body.id}/certificates/${created.body.id}/validate`,
      {
        live: true,
      },
    );
    const activated = await api(
      'POST',
      `/v1/tenant-connections/${connection.body.id}/certificates/${created.body.id}/activate`,
      {},
    );
    const signed = await api<{ thumbprintSha1: string }>(
      'POST',
      `/internal/v1/tenant-connections/${connection.body.id}/client-assertion`,
      {
        audience: sandbox.tokenEndpoint,
      },
    );
    const scan = await api<{ rotationsStarted: number }>('POST', '/v1/expiry-scan');
    const rotations = await api<{ state: string; reason: string }[]>(
      'GET',
      `/v1/tenant-connections/${connection.body.id}/rotations`,
    );
    const afterRotation = await api<{ thumbprintSha1: string }>(
      'POST',
      `/internal/v1/tenant-connections/${connection.body.id}/client-assertion`,
      { audience: sandbox.tokenEndpoint },
    );
    const view = await api<{ activeCertificate: { thumbprintSha1: string } }>(
      'GET',
      `/v1/tenant-connections/${connection.body.id}`,
    );
    const again = await api<{ rotationsStarted: number }>('POST', '/v1/expiry-scan');
    const verify = await api<{ valid: boolean }>('GET', '/v1/audit/verify');

    expect(live.body.valid).toBe(true);
    expect(activated.status).toBe(200);
    expect(signed.body.thumbprintSha1).toBe(created.body.thumbprintSha1);
    const metrics = await fetch(`${sut.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/easgate_vault_signatures_total\{outcome="success",code=""\} [1-9]/);
    expect(metrics).toMatch(/easgate_vault_signing_keys_total\{source="unwrap"\} [1-9]/);
    expect(metrics).toContain(`certificate_id="${created.body.id}",status="retiring"`);
    expect(scan.body.rotationsStarted).toBe(1);
    expect(rotations.body).toEqual([
      expect.objectContaining({
        state: 'completed',
        reason: expect.stringMatching(/^automatic rotation/) as string,
      }),
    ]);
    // The rotation is honoured by the very next signature, with the lookup and the key kept.
    expect(view.body.activeCertificate.thumbprintSha1).not.toBe(created.body.thumbprintSha1);
    expect(afterRotation.body.thumbprintSha1).toBe(view.body.activeCertificate.thumbprintSha1);
    expect(again.body.rotationsStarted).toBe(0);
    expect(verify.body.valid).toBe(true);
  });

  it('keeps answering /health/live while a PFX with 100,000 KDF iterations is being validated', async () => {
    const password = randomBytes(12).toString('base64url');
    const openssl = (args: string[]) =>
      execFileSync('openssl', args, {
        cwd: dir,
        env: { ...process.env, PFX_PASSWORD: password },
        stdio: 'pipe',
      });
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'heavy.key']);
    openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      'heavy.key',
      '-subj',
      '/CN=heavy',
      '-days',
      '30',
      '-out',
      'heavy.pem',
    ]);
    openssl(
      ['pkcs12', '-export', '-in', 'heavy.pem', '-inkey', 'heavy.key', '-iter', '100000'].concat([
        '-passout',
        'env:PFX_PASSWORD',
        '-out',
        'heavy.pfx',
      ]),
    );
    const finished: string[] = [];

    const validating = api<{ valid: boolean }>('POST', '/v1/certificates/validate', {
      pfxBase64: readFileSync(join(dir, 'heavy.pfx')).toString('base64'),
      password,
    }).then((answer) => {
      finished.push('pfx validated');
      return answer;
    });
    const probes: number[] = [];
    for (let probe = 0; probe < 3; probe += 1) probes.push((await fetch(`${sut.url}/health/live`)).status);
    finished.push('health answered 3 times');
    const validated = await validating;

    expect(probes).toEqual([200, 200, 200]);
    expect(finished).toEqual(['health answered 3 times', 'pfx validated']);
    expect(validated.body.valid).toBe(true);
  });
});
