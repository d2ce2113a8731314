import { X509Certificate, randomBytes, randomUUID, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Agent, fetch as undiciFetch } from 'undici';
import { createSelfSignedCertificate, decodeJwt } from '@easgate/auth';
import { type CertificateLifecycleV1, Topics } from '@easgate/contracts';
import { type RunningSandbox, startSandbox } from '@easgate/exo-sandbox';
import { KafkaBus } from '@easgate/messaging';
import { inProcessCredentials, type RunningService, startService } from '@easgate/service-runtime';
import {
  type TestDatabase,
  TopicRecorder,
  createTestDatabase,
  testBrokers,
  uniqueName,
  waitFor,
} from '@easgate/testing';
import { certVaultService } from '../src';
import { type AuditRecord, chainHash, GENESIS_HASH } from '../src/domain/audit-chain';

const DAY = 86_400_000;
/** Past the 48 h overlap of the rotation test: the vault and the sandbox clocks move together. */
const OVERLAP_PASSED_MS = 49 * 3_600_000;

/** A clock the test moves forward; the sandbox keeps real time. */
class TestClock {
  offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
}

interface Env {
  dir: string;
  sandbox: RunningSandbox;
  sandboxAgent: Agent;
  db: TestDatabase;
  bus: KafkaBus;
  recorder: TopicRecorder;
  clock: TestClock;
  vault: RunningService;
  apiToken: string;
  masterKey: string;
  appId: string;
  objectId: string;
  initial: Awaited<ReturnType<typeof createSelfSignedCertificate>>;
  initialPassword: string;
}

let env: Env;

async function startVault(
  keys: { VAULT_MASTER_KEY: string; VAULT_PREVIOUS_MASTER_KEYS?: string } = {
    VAULT_MASTER_KEY: env.masterKey,
  },
): Promise<RunningService> {
  return startService(certVaultService({ clock: env.clock }), {
    bus: env.bus,
    databaseUrl: env.db.url,
    dataDir: env.dir,
    port: 0,
    apiToken: env.apiToken,
    env: {
      ...keys,
      VAULT_EXTRA_CA_FILE: env.sandbox.caPath,
      VAULT_EXPIRY_SCANNER: 'false',
      EASGATE_ALLOWED_ENDPOINT_HOSTS: new URL(env.sandbox.baseUrl).host,
      VAULT_AUDIT_CHECKPOINT_FILE: join(env.dir, 'audit-checkpoints.jsonl'),
      // Lookups kept far longer than the tests last: a change that did not evict them would show.
      VAULT_SIGNING_LOOKUP_CACHE_MS: '60000',
    },
    consumerGroup: uniqueName('cert-vault'),
    fromBeginning: false,
  });
}

async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${env.vault.url}${path}`, {
    method,
    headers: {
      // Only the executor's identity may get client assertions; people use their API token.
      authorization: path.endsWith('/client-assertion')
        ? inProcessCredentials('exchange-executor').authorizationFor('cert-vault')
        : `Bearer ${env.apiToken}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function newConnection(overrides: Record<string, unknown> = {}): Promise<string> {
  const created = await api<{ id: string }>('POST', '/v1/tenant-connections', {
    tenantId: env.sandbox.tenantId,
    appId: env.appId,
    organization: env.sandbox.organization,
    authorityHost: env.sandbox.baseUrl,
    graphUrl: env.sandbox.baseUrl,
    applicationObjectId: env.objectId,
    ...overrides,
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

function lifecycleEvents(certificateId: string): CertificateLifecycleV1[] {
  return env.recorder
    .on(Topics.CertificateLifecycle)
    .filter((r) => r.key === certificateId)
    .map((r) => (JSON.parse(r.value!.toString('utf8')) as { data: CertificateLifecycleV1 }).data);
}

async function sandboxToken(assertion: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await undiciFetch(env.sandbox.tokenEndpoint, {
    method: 'POST',
    dispatcher: env.sandboxAgent,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: env.appId,
      scope: 'https://outlook.office365.com/.default',
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function sandboxThumbprints(): string[] {
  return env.sandbox.sandbox
    .appSummary(env.sandbox.sandbox.directory.requireApp(env.appId))
    .keyCredentials.map((k) => String(k['thumbprint']));
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cert-vault-'));
  const appId = randomUUID();
  const initialPassword = `Pässwort-${randomBytes(6).toString('hex')}`;
  const initial = await createSelfSignedCertificate({
    subject: 'CN=easgate medium',
    password: initialPassword,
    now: new Date(),
  });
  const sandbox = await startSandbox({
    tlsDir: join(dir, 'sandbox-tls'),
    port: 0,
    mailboxes: 1,
    devices: 0,
    apps: [{ appId, certificates: [initial.pem] }],
  });
  const db = await createTestDatabase('cert_vault');
  const bus = new KafkaBus({ brokers: testBrokers(), clientId: uniqueName('cert-vault') });
  const recorder = await TopicRecorder.start([Topics.CertificateLifecycle]);
  env = {
    dir,
    sandbox,
    sandboxAgent: new Agent({ connect: { ca: sandbox.caPem } }),
    db,
    bus,
    recorder,
    clock: new TestClock(),
    vault: undefined as unknown as RunningService,
    apiToken: randomBytes(18).toString('base64url'),
    masterKey: randomBytes(32).toString('base64'),
    appId,
    objectId: sandbox.apps[0].objectId,
    initial,
    initialPassword,
  };
  env.vault = await startVault();
});

afterAll(async () => {
  await env?.vault?.close();
  await env?.recorder?.stop();
  await env?.bus?.close();
  await env?.db?.drop();
  await env?.sandboxAgent?.close();
  await env?.sandbox?.close();
  if (env?.dir) rmSync(env.dir, { recursive: true, force: true });
});

describe('cert-vault', () => {
  let connectionId: string;
  let importedId: string;

  it('imports a PFX and stores neither the private key nor the password in clear', async () => {
    connectionId = await newConnection();

    const imported = await api<{ id: string; status: string; thumbprintSha1: string }>(
      'POST',
      `/v1/tenant-connections/${connectionId}/certificates/import`,
      { pfxBase64: env.initial.pfx.toString('base64'), password: env.initialPassword, activate: true },
    );

    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({
      status: 'active',
      thumbprintSha1: env.initial.facts.thumbprintSha1,
    });
    expect(JSON.stringify(imported.body)).not.toMatch(/PRIVATE KEY|pfx|password/i);
    importedId = imported.body.id;

    const client = new Client({ connectionString: env.db.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT * FROM cert_vault.vault_certificate');
      const stored = JSON.stringify(rows);
      const pkcs8 = env.initial.privateKey.export({ type: 'pkcs8', format: 'der' });
      const pem = env.initial.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      expect(stored).not.toContain(pem.split('\n')[1]);
      expect(stored).not.toContain(pkcs8.toString('base64').slice(0, 64));
      expect(stored).not.toContain(pkcs8.toString('hex').slice(0, 64));
      expect(stored).not.toContain(env.initialPassword);
      expect(stored).not.toContain(Buffer.from(env.initialPassword).toString('base64'));
      expect(rows[0].master_key_id).toMatch(/^mk-/);
    } finally {
      await client.end();
    }
  });

  it('refuses a PFX with the wrong password and audits the attempt', async () => {
    const rejected = await api('POST', `/v1/tenant-connections/${connectionId}/certificates/import`, {
      pfxBase64: env.initial.pfx.toString('base64'),
      password: 'wrong',
    });

    expect(rejected).toMatchObject({ status: 422, body: { code: 'CERTIFICATE_REJECTED' } });
    const audit = await api<{ outcome: string; reason: string }[]>(
      'GET',
      `/v1/audit?connectionId=${connectionId}&action=certificate.import`,
    );
    expect(audit.body.some((r) => r.outcome === 'failure' && r.reason.startsWith('WRONG_PASSWORD'))).toBe(
      true,
    );
  });

  it('filters the audit log by actor, outcome and time range, newest first, paged with beforeSeq', async () => {
    type Row = { seq: number; at: string; actor: string; outcome: string; connectionId?: string };
    const all = await api<Row[]>('GET', `/v1/audit?connectionId=${connectionId}&order=desc&limit=1000`);
    expect(all.body.length).toBeGreaterThan(1);
    expect(all.body.map((r) => r.seq)).toEqual([...all.body.map((r) => r.seq)].sort((a, b) => b - a));
    const failures = await api<Row[]>('GET', `/v1/audit?connectionId=${connectionId}&outcome=failure`);
    expect(failures.body.length).toBeGreaterThan(0);
    expect(failures.body.every((r) => r.outcome === 'failure')).toBe(true);
    const actor = all.body[0].actor;
    const byActor = await api<Row[]>('GET', `/v1/audit?actor=${encodeURIComponent(actor)}&limit=1000`);
    expect(byActor.body.length).toBeGreaterThan(0);
    expect(byActor.body.every((r) => r.actor === actor)).toBe(true);
    const newest = all.body[0];
    const fromNewest = await api<Row[]>(
      'GET',
      `/v1/audit?connectionId=${connectionId}&from=${encodeURIComponent(newest.at)}`,
    );
    expect(fromNewest.body.every((r) => r.at >= newest.at)).toBe(true);
    expect(fromNewest.body.map((r) => r.seq)).toContain(newest.seq);
    const beforeNewest = await api<Row[]>(
      'GET',
      `/v1/audit?connectionId=${connectionId}&to=${encodeURIComponent(newest.at)}&order=desc&beforeSeq=${newest.seq}&limit=1000`,
    );
    expect(beforeNewest.body.every((r) => r.at < newest.at && r.seq < newest.seq)).toBe(true);
    expect(await api('GET', '/v1/audit?from=yesterday')).toMatchObject({
      status: 400,
      body: { code: 'INVALID_REQUEST' },
    });
  });

  it('signs a client assertion that verifies with the public certificate and that the token endpoint accepts', async () => {
    const signed = await api<{ assertion: string; thumbprintSha1: string; expiresAt: string }>(
      'POST',
      `/internal/v1/tenant-connections/${connectionId}/client-assertion`,
      { audience: env.sandbox.tokenEndpoint },
    );

    expect(signed.status).toBe(200);
    expect(signed.body.thumbprintSha1).toBe(env.initial.facts.thumbprintSha1);
    expect(Date.parse(signed.body.expiresAt)).toBeGreaterThan(Date.now());
    const pem = await fetch(
      `${env.vault.url}/v1/tenant-connections/${connectionId}/certificates/${importedId}/public.pem`,
      {
        headers: { authorization: `Bearer ${env.apiToken}` },
      },
    ).then((r) => r.text());
    const [header, payload, signature] = signed.body.assertion.split('.');
    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      new X509Certificate(pem).publicKey,
      Buffer.from(signature, 'base64url'),
    );
    expect(valid).toBe(true);
    const jwt = decodeJwt(signed.body.assertion);
    expect(jwt.header).toMatchObject({
      alg: 'RS256',
      x5t: Buffer.from(env.initial.facts.thumbprintSha1, 'hex').toString('base64url'),
    });
    expect(jwt.payload).toMatchObject({ aud: env.sandbox.tokenEndpoint, iss: env.appId, sub: env.appId });

    const token = await sandboxToken(signed.body.assertion);
    expect(token.status).toBe(200);
    expect(typeof token.body['access_token']).toBe('string');
  });

  it('audits each of many concurrent signatures exactly once (group commit) and keeps the chain valid', async () => {
    const signed = await Promise.all(
      Array.from({ length: 40 }, () =>
        api<{ assertion: string }>(
          'POST',
          `/internal/v1/tenant-connections/${connectionId}/client-assertion`,
          {
            audience: env.sandbox.tokenEndpoint,
          },
        ),
      ),
    );
    const jtis = signed.map((s) => decodeJwt(s.body.assertion).payload['jti']);
    const audited = await api<{ details: { jti?: string } }[]>(
      'GET',
      `/v1/audit?connectionId=${connectionId}&action=assertion.sign&outcome=success&order=desc&limit=200`,
    );
    const verify = await api<{ valid: boolean }>('GET', '/v1/audit/verify');

    expect(signed.every((s) => s.status === 200)).toBe(true);
    const auditedJtis = audited.body.map((r) => r.details.jti).filter((j) => jtis.includes(j));
    expect(auditedJtis.sort()).toEqual([...jtis].sort());
    expect(verify.body.valid).toBe(true);
  });

  it('signs PS256 with x5t#S256 when the connection asks for it, and the token endpoint accepts it', async () => {
    const patched = await api('PATCH', `/v1/tenant-connections/${connectionId}`, {
      signingAlgorithm: 'PS256',
    });
    const signed = await api<{ assertion: string }>(
      'POST',
      `/internal/v1/tenant-connections/${connectionId}/client-assertion`,
      {
        audience: env.sandbox.tokenEndpoint,
      },
    );
    await api('PATCH', `/v1/tenant-connections/${connectionId}`, { signingAlgorithm: 'RS256' });

    expect(patched.status).toBe(200);
    expect(decodeJwt(signed.body.assertion).header).toMatchObject({
      alg: 'PS256',
      'x5t#S256': Buffer.from(env.initial.facts.thumbprintSha256, 'hex').toString('base64url'),
    });
    expect((await sandboxToken(signed.body.assertion)).status).toBe(200);
  });

  it('keeps the signing contract: 404 for an unknown connection, 409 without an active certificate, tenant view', async () => {
    const unknown = await api('POST', `/internal/v1/tenant-connections/${randomUUID()}/client-assertion`, {
      audience: env.sandbox.tokenEndpoint,
    });
    const bare = await newConnection({ appId: randomUUID() });
    const noActive = await api('POST', `/internal/v1/tenant-connections/${bare}/client-assertion`, {
      audience: env.sandbox.tokenEndpoint,
    });
    const view = await api('GET', `/v1/tenant-connections/${connectionId}`);

    expect(unknown).toMatchObject({ status: 404, body: { code: 'TENANT_CONNECTION_NOT_FOUND' } });
    expect(noActive).toMatchObject({ status: 409, body: { code: 'NO_ACTIVE_CERTIFICATE' } });
    expect(view.body).toMatchObject({
      id: connectionId,
      tenantId: env.sandbox.tenantId,
      appId: env.appId,
      organization: env.sandbox.organization,
      cloud: 'O365Default',
      authorityHost: env.sandbox.baseUrl,
      activeCertificate: {
        id: importedId,
        thumbprintSha1: env.initial.facts.thumbprintSha1,
        notAfter: env.initial.facts.notAfter,
      },
    });
  });

  it('signs with the newly active certificate at the very next signature after an activation or a retirement', async () => {
    const id = await newConnection({ appId: randomUUID() });
    const sign = () =>
      api<{ thumbprintSha1: string }>('POST', `/internal/v1/tenant-connections/${id}/client-assertion`, {
        audience: env.sandbox.tokenEndpoint,
      });
    const create = async (activate: boolean) =>
      (
        await api<{ id: string; thumbprintSha1: string }>(
          'POST',
          `/v1/tenant-connections/${id}/certificates`,
          {
            subject: 'CN=cached lookup',
            activate,
          },
        )
      ).body;
    const first = await create(true);
    const second = await create(false);

    const before = await Promise.all([sign(), sign(), sign()]); // the lookup and the key are now kept
    const activated = await api(
      'POST',
      `/v1/tenant-connections/${id}/certificates/${second.id}/activate`,
      {},
    );
    const afterActivation = await sign();
    const retired = await api('POST', `/v1/tenant-connections/${id}/certificates/${second.id}/retire`, {});
    const afterRetirement = await sign();

    expect(before.map((s) => s.body.thumbprintSha1)).toEqual(Array(3).fill(first.thumbprintSha1));
    expect(activated.status).toBe(200);
    expect(afterActivation.body.thumbprintSha1).toBe(second.thumbprintSha1);
    expect(retired.status).toBe(200);
    expect(afterRetirement).toMatchObject({ status: 409, body: { code: 'NO_ACTIVE_CERTIFICATE' } });
  });

  it("refuses to point a connection's endpoints at a host that is neither the cloud's nor admitted", async () => {
    const redirected = await Promise.all(
      ['graphUrl', 'authorityHost', 'exchangeEndpoint'].map((field) =>
        api('PATCH', `/v1/tenant-connections/${connectionId}`, { [field]: 'https://collector.example.net' }),
      ),
    );
    const created = await api('POST', '/v1/tenant-connections', {
      tenantId: randomUUID(),
      appId: randomUUID(),
      organization: 'elsewhere.onmicrosoft.com',
      graphUrl: 'https://169.254.169.254',
    });
    const unchanged = await api<{ graphUrl?: string }>('GET', `/v1/tenant-connections/${connectionId}`);

    for (const answer of [...redirected, created])
      expect(answer).toMatchObject({ status: 400, body: { code: 'ENDPOINT_NOT_ALLOWED' } });
    expect(unchanged.body.graphUrl).toBe(new URL(env.sandbox.baseUrl).origin);
  });

  it('rotates: adds the new key through Graph, verifies it with a token, activates it and keeps the old one for the overlap', async () => {
    const rotation = await api<{
      state: string;
      certificate: { id: string; thumbprintSha1: string; status: string };
    }>('POST', `/v1/tenant-connections/${connectionId}/rotations`, {
      uploadToEntra: true,
      overlapHours: 48,
      reason: 'medium test',
    });

    expect(rotation.status).toBe(201);
    expect(rotation.body).toMatchObject({ state: 'completed', certificate: { status: 'active' } });
    const next = rotation.body.certificate;
    expect(sandboxThumbprints()).toContain(next.thumbprintSha1);
    const old = await api('GET', `/v1/tenant-connections/${connectionId}/certificates/${importedId}`);
    expect(old.body).toMatchObject({ status: 'retiring' });
    const signed = await api<{ assertion: string; thumbprintSha1: string }>(
      'POST',
      `/internal/v1/tenant-connections/${connectionId}/client-assertion`,
      { audience: env.sandbox.tokenEndpoint },
    );
    expect(signed.body.thumbprintSha1).toBe(next.thumbprintSha1);
    expect((await sandboxToken(signed.body.assertion)).status).toBe(200);
    await waitFor('rotation events', () => {
      const kinds = lifecycleEvents(next.id).map((e) => e.kind);
      return ['created', 'rotation-started', 'activated', 'rotated'].every((k) => kinds.includes(k as never));
    });
  });

  it('retires the replaced certificate when the overlap ends and removes its key from the Entra app', async () => {
    env.sandbox.sandbox.advanceClock(OVERLAP_PASSED_MS / 1000);
    env.clock.offsetMs = OVERLAP_PASSED_MS;

    const scan = await api<{ retired: number }>('POST', '/v1/expiry-scan');

    expect(scan.body.retired).toBe(1);
    const old = await api('GET', `/v1/tenant-connections/${connectionId}/certificates/${importedId}`);
    expect(old.body).toMatchObject({ status: 'retired' });
    expect(sandboxThumbprints()).not.toContain(env.initial.facts.thumbprintSha1);
    await waitFor('retired event', () => lifecycleEvents(importedId).some((e) => e.kind === 'retired'));
  });

  it('rolls back a rotation whose verification fails: removes the Graph key, fails the pending certificate, keeps the current one', async () => {
    const before = await api<{ activeCertificate: { id: string } }>(
      'GET',
      `/v1/tenant-connections/${connectionId}`,
    );
    const staged = await api<{
      id: string;
      state: string;
      certificate: { id: string; thumbprintSha1: string };
    }>('POST', `/v1/tenant-connections/${connectionId}/rotations`, { uploadToEntra: true, complete: false });
    expect(staged.body.state).toBe('key-added');
    expect(sandboxThumbprints()).toContain(staged.body.certificate.thumbprintSha1);
    env.sandbox.sandbox.faults.inject({ kind: 'http-503', target: 'token', count: 1 });

    const completed = await api<{ state: string; certificate: { status: string } }>(
      'POST',
      `/v1/tenant-connections/${connectionId}/rotations/${staged.body.id}/complete`,
    );

    expect(completed.body).toMatchObject({ state: 'rolled-back', certificate: { status: 'failed' } });
    expect(sandboxThumbprints()).not.toContain(staged.body.certificate.thumbprintSha1);
    const after = await api<{ activeCertificate: { id: string } }>(
      'GET',
      `/v1/tenant-connections/${connectionId}`,
    );
    expect(after.body.activeCertificate.id).toBe(before.body.activeCertificate.id);
    await waitFor('validation-failed event', () =>
      lifecycleEvents(staged.body.certificate.id).some(
        (e) => e.kind === 'validation-failed' && e.errors?.length,
      ),
    );
  });

  it('holds a rotation without Graph until an administrator confirms the upload, then verifies and activates it', async () => {
    const refused = await api<{ code: string }>('POST', `/v1/tenant-connections/${connectionId}/rotations`, {
      uploadToEntra: false,
      complete: true,
    });
    const staged = await api<{
      id: string;
      state: string;
      certificate: { id: string; thumbprintSha1: string };
    }>('POST', `/v1/tenant-connections/${connectionId}/rotations`, {
      uploadToEntra: false,
      reason: 'manual upload',
    });
    const path = `/v1/tenant-connections/${connectionId}/rotations/${staged.body.id}`;
    const unconfirmed = await api<{ code: string; message: string }>('POST', `${path}/complete`);
    const stillStarted = await api<{ state: string }>('GET', path);

    expect(refused).toMatchObject({ status: 409, body: { code: 'UPLOAD_NOT_CONFIRMED' } });
    expect(staged.body.state).toBe('started');
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body).toMatchObject({
      code: 'UPLOAD_NOT_CONFIRMED',
      message: expect.stringContaining(staged.body.certificate.thumbprintSha1) as string,
    });
    expect(stillStarted.body.state).toBe('started');

    // The administrator uploads the .cer to the app in Entra (here: the sandbox's admin API), and says so.
    const certificatePem = await fetch(
      `${env.vault.url}/v1/tenant-connections/${connectionId}/certificates/${staged.body.certificate.id}/public.pem`,
      { headers: { authorization: `Bearer ${env.apiToken}` } },
    ).then((r) => r.text());
    env.sandbox.sandbox.addCertificate(env.appId, certificatePem);
    const completed = await api<{ state: string; certificate: { status: string } }>(
      'POST',
      `${path}/complete`,
      { uploadConfirmed: true },
    );
    const audit = await api<{ action: string; actor: string; details: { rotationId?: string } }[]>(
      'GET',
      `/v1/audit?action=rotation.upload-confirmed&connectionId=${connectionId}`,
    );

    expect(completed.body).toMatchObject({ state: 'completed', certificate: { status: 'active' } });
    expect(audit.body).toEqual([
      expect.objectContaining({
        action: 'rotation.upload-confirmed',
        details: expect.objectContaining({ rotationId: staged.body.id }) as unknown,
      }),
    ]);
  });

  it('publishes each expiry threshold once, also across a restart', async () => {
    const expiring = await newConnection({ appId: randomUUID() });
    const created = await api<{ id: string; notAfter: string }>(
      'POST',
      `/v1/tenant-connections/${expiring}/certificates`,
      {
        subject: 'CN=short lived',
        days: 40,
        activate: true,
      },
    );
    expect(created.status).toBe(201);
    const notAfter = Date.parse(created.body.notAfter);
    const scanAt = async (daysLeft: number) => {
      env.clock.offsetMs = notAfter - daysLeft * DAY - Date.now();
      expect((await api('POST', '/v1/expiry-scan')).status).toBe(200);
    };
    const expiryEvents = () =>
      lifecycleEvents(created.body.id)
        .filter((e) => e.kind === 'expiring' || e.kind === 'expired')
        .map((e) => (e.kind === 'expired' ? 'expired' : e.thresholdDays));

    await scanAt(29.5);
    await scanAt(29);
    await env.vault.close();
    env.vault = await startVault();
    await scanAt(28);
    await scanAt(13.5);
    await scanAt(6.5);
    await scanAt(6);
    await env.vault.close();
    env.vault = await startVault();
    await scanAt(0.5);
    await scanAt(-1);
    await scanAt(-2);

    await waitFor('every threshold published', () => expiryEvents().length >= 5);
    expect(expiryEvents()).toEqual([30, 14, 7, 1, 'expired']);
    env.clock.offsetMs = OVERLAP_PASSED_MS; // back in step with the sandbox clock
  });

  it('re-wraps every data key when the master key rotates, and keeps signing', async () => {
    const newKey = randomBytes(32).toString('base64');
    const masterKeyIds = async () => {
      const client = new Client({ connectionString: env.db.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ master_key_id: string }>(
          'SELECT DISTINCT master_key_id FROM cert_vault.vault_certificate',
        );
        return rows.map((r) => r.master_key_id);
      } finally {
        await client.end();
      }
    };
    const [oldKeyId] = await masterKeyIds();

    await env.vault.close();
    env.vault = await startVault({ VAULT_MASTER_KEY: newKey, VAULT_PREVIOUS_MASTER_KEYS: env.masterKey });
    const rewrappedIds = await masterKeyIds();
    await env.vault.close();
    env.masterKey = newKey;
    env.vault = await startVault();
    const signed = await api<{ assertion: string }>(
      'POST',
      `/internal/v1/tenant-connections/${connectionId}/client-assertion`,
      {
        audience: env.sandbox.tokenEndpoint,
      },
    );

    expect(rewrappedIds).toHaveLength(1);
    expect(rewrappedIds[0]).not.toBe(oldKeyId);
    expect(signed.status).toBe(200);
    expect((await sandboxToken(signed.body.assertion)).status).toBe(200);
  });

  it('verifies a consistent snapshot while rows are appended at the same time (no false tampering)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i % 2 === 0
          ? api('PATCH', `/v1/tenant-connections/${connectionId}`, { signingAlgorithm: 'RS256' })
          : api<{ valid: boolean; problem?: string }>('GET', '/v1/audit/verify'),
      ),
    );
    const verdicts = answers
      .filter((_, i) => i % 2 === 1)
      .map((a) => a.body as { valid: boolean; problem?: string });

    expect(verdicts.filter((v) => !v.valid)).toEqual([]);
    expect(answers.filter((_, i) => i % 2 === 0).every((a) => a.status === 200)).toBe(true);
  });

  it('exports a signed checkpoint of the chain head to the checkpoint file', async () => {
    const exported = await api<{ seq: number; hash: string; mac: string }>('POST', '/v1/audit/checkpoints');

    expect(exported.status).toBe(200);
    expect(exported.body.mac).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(env.dir, 'audit-checkpoints.jsonl'), 'utf8')).toContain(
      `"seq":${exported.body.seq}`,
    );
  });

  it('verifies the audit chain and detects a tampered row', async () => {
    const audit = await api<{ seq: number; action: string; actor: string }[]>('GET', '/v1/audit?limit=1000');
    expect(audit.body.filter((r) => r.action === 'assertion.sign').length).toBeGreaterThanOrEqual(4);
    expect(await api('GET', '/v1/audit/verify')).toMatchObject({ status: 200, body: { valid: true } });

    const victim = audit.body.find((r) => r.action === 'assertion.sign')!;
    const client = new Client({ connectionString: env.db.url });
    await client.connect();
    try {
      await client.query(`UPDATE cert_vault.vault_audit_log SET actor = 'mallory' WHERE seq = $1`, [
        victim.seq,
      ]);
    } finally {
      await client.end();
    }

    expect((await api('GET', '/v1/audit/verify')).body).toMatchObject({ valid: false, brokenAt: victim.seq });
  });

  it('detects a chain rewritten and re-hashed by someone who can write the database but lacks the key', async () => {
    const rows = await api<AuditRecord[]>('GET', '/v1/audit?limit=1000');
    const client = new Client({ connectionString: env.db.url });
    await client.connect();
    try {
      let prev = GENESIS_HASH;
      for (const row of rows.body) {
        const facts = { ...row, actor: row.seq === 1 ? 'mallory' : row.actor };
        const hash = chainHash(prev, row.seq, facts);
        await client.query(
          'UPDATE cert_vault.vault_audit_log SET actor = $1, prev_hash = $2, hash = $3 WHERE seq = $4',
          [facts.actor, prev, hash, row.seq],
        );
        prev = hash;
      }
      await client.query('UPDATE cert_vault.vault_audit_head SET hash = $1 WHERE id = 1', [prev]);
    } finally {
      await client.end();
    }

    expect((await api('GET', '/v1/audit/verify')).body).toMatchObject({
      valid: false,
      problem: expect.stringContaining('not authenticated'),
    });
  });
});
