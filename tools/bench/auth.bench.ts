import {
  buildClientAssertion,
  createSelfSignedCertificate,
  importSigningKey,
  type SelfSignedCertificate,
  signClientAssertion,
} from '@easgate/auth';
import { AssertionSigner, certVaultService } from '@easgate/cert-vault';
import { InProcessBus } from '@easgate/messaging';
import { startService } from '@easgate/service-runtime';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { Client } from 'pg';
import { recordFigure } from './report';

/**
 * Native crypto against pure node-forge for the two operations the vault does: creating a certificate
 * (RSA 2048 key generation + self-signed X.509 + PKCS#12) and signing a client assertion (RS256); then
 * the vault's ceiling: the same assertion signed with a WebCrypto key on the thread pool, as many in
 * flight as the vault bench has, without the vault around it; then the vault's own signing use case
 * (the connection and its active certificate, kept for VAULT_SIGNING_LOOKUP_CACHE_MS, the key, sign,
 * commit the audit record) on the embedded default (SQLite), with the signing-key cache and without
 * (VAULT_SIGNING_KEY_CACHE_MS=0), and on PostgreSQL, against the same node-forge baseline.
 * Run with `npm run bench -- auth`.
 */
// Present in node-forge, missing from its type definitions.
const forgeOptions = (forge as unknown as { options: { usePureJavaScript: boolean } }).options;

interface Measurement {
  readonly iterations: number;
  readonly opsPerSecond: number;
}

const VAULT_CONCURRENCY = 16;
const VAULT_BUDGET_MS = 4_000;

const ADMIN_URL = process.env['DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh PostgreSQL database for `work`, dropped afterwards. */
async function withPostgres<T>(work: (url: string) => Promise<T>): Promise<T> {
  const name = `easgate_bench_vault_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  try {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

/** Signatures/s of the vault's signing use case, `VAULT_CONCURRENCY` requests in flight. */
async function measureVaultSigning(
  cacheMs: number,
  databaseUrl?: string,
  lookupCacheMs = 1_000,
): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'easgate-bench-vault-'));
  const bus = new InProcessBus();
  const apiToken = randomBytes(18).toString('base64url');
  const vault = await startService(certVaultService(), {
    bus,
    dataDir: dir,
    ...(databaseUrl !== undefined && { databaseUrl }),
    port: 0,
    apiToken,
    env: {
      VAULT_EXPIRY_SCANNER: 'false',
      VAULT_SIGNING_KEY_CACHE_MS: String(cacheMs),
      VAULT_SIGNING_LOOKUP_CACHE_MS: String(lookupCacheMs),
    },
  });
  try {
    const api = async <T>(path: string, body: unknown): Promise<T> => {
      const response = await fetch(`${vault.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as T;
    };
    const tenantId = randomUUID();
    const connection = await api<{ id: string }>('/v1/tenant-connections', {
      tenantId,
      appId: randomUUID(),
      organization: 'contoso.onmicrosoft.com',
    });
    await api(`/v1/tenant-connections/${connection.id}/certificates`, {
      subject: 'CN=easgate-bench',
      activate: true,
    });
    const signer = vault.app.get(AssertionSigner);
    const audience = `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`;
    const sign = () => signer.sign(connection.id, audience, 'bench');
    return await measureConcurrent(sign);
  } finally {
    await vault.close();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `work` with `VAULT_CONCURRENCY` calls in flight for `VAULT_BUDGET_MS`. */
async function measureConcurrent(work: () => Promise<unknown>): Promise<Measurement> {
  await work(); // warm-up
  let done = 0;
  const start = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - start) / 1e6;
  await Promise.all(
    Array.from({ length: VAULT_CONCURRENCY }, async () => {
      while (elapsedMs() < VAULT_BUDGET_MS) {
        await work();
        done += 1;
      }
    }),
  );
  return { iterations: done, opsPerSecond: (done * 1000) / elapsedMs() };
}

async function measure(
  work: () => unknown,
  limits: { min: number; max: number; budgetMs: number },
): Promise<Measurement> {
  await work(); // warm-up
  const start = process.hrtime.bigint();
  let iterations = 0;
  let elapsedMs = 0;
  while (iterations < limits.max && (iterations < limits.min || elapsedMs < limits.budgetMs)) {
    await work();
    iterations += 1;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return { iterations, opsPerSecond: (iterations * 1000) / elapsedMs };
}

function forgeCreateCertificate(): Buffer {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const subject = [{ shortName: 'CN', value: 'easgate-bench' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([{ name: 'keyUsage', digitalSignature: true, critical: true }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert], 'bench-password', { algorithm: 'aes256' });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}

function forgeSignAssertion(key: forge.pki.rsa.PrivateKey, x5t: string): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'RS256', typ: 'JWT', x5t })}.${b64({
    aud: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    iss: 'bench',
    sub: 'bench',
    jti: randomUUID(),
    nbf: now,
    iat: now,
    exp: now + 600,
  })}`;
  const md = forge.md.sha256.create();
  md.update(input, 'utf8');
  return `${input}.${Buffer.from(key.sign(md), 'binary').toString('base64url')}`;
}

export async function runAuthBench(): Promise<void> {
  const previous = forgeOptions.usePureJavaScript;
  // Without this, node-forge quietly delegates RSA key generation to Node's native crypto.
  forgeOptions.usePureJavaScript = true;
  try {
    console.log('auth: native node:crypto vs pure node-forge (RSA 2048)');
    const nativeCreate = await measure(
      () =>
        createSelfSignedCertificate({
          subject: 'CN=easgate-bench',
          password: 'bench-password',
          now: new Date(),
        }),
      { min: 5, max: 40, budgetMs: 5_000 },
    );
    const forgeCreate = await measure(forgeCreateCertificate, { min: 2, max: 10, budgetMs: 15_000 });

    const credential: SelfSignedCertificate = await createSelfSignedCertificate({
      subject: 'CN=easgate-bench',
      password: 'bench-password',
      now: new Date(),
    });
    const forgeKey = forge.pki.privateKeyFromPem(
      credential.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    const tokenEndpoint = 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token';
    const nativeSign = await measure(
      () =>
        buildClientAssertion({
          clientId: 'bench',
          tokenEndpoint,
          certificate: credential.certificate,
          privateKey: credential.privateKey,
          now: new Date(),
        }),
      { min: 200, max: 5_000, budgetMs: 3_000 },
    );
    const x5t = Buffer.from(credential.facts.thumbprintSha1, 'hex').toString('base64url');
    const forgeSign = await measure(() => forgeSignAssertion(forgeKey, x5t), {
      min: 20,
      max: 500,
      budgetMs: 5_000,
    });

    const row = (name: string, native: Measurement, pure: Measurement) =>
      `${name.padEnd(44)} ${native.opsPerSecond.toFixed(1).padStart(10)} ${pure.opsPerSecond.toFixed(1).padStart(12)} ${`${(native.opsPerSecond / pure.opsPerSecond).toFixed(1)}x`.padStart(10)}   (n=${native.iterations}/${pure.iterations})`;
    console.log(
      `${'operation'.padEnd(44)} ${'native/s'.padStart(10)} ${'forge/s'.padStart(12)} ${'ratio'.padStart(10)}`,
    );
    console.log(row('certificate creation (keygen + X.509 + PFX)', nativeCreate, forgeCreate));
    console.log(row('client assertion signing (RS256)', nativeSign, forgeSign));

    const forgeBaseline = { label: 'pure node-forge RS256', value: forgeSign.opsPerSecond };
    recordFigure({
      id: 'auth.assertion-signatures-per-s',
      figure: 'client-assertion signatures/s, native node:crypto (key already parsed)',
      unit: 'signatures/s',
      value: nativeSign.opsPerSecond,
      better: 'higher',
      baseline: forgeBaseline,
      note: `buildClientAssertion RS256, one at a time, RSA 2048 (n=${nativeSign.iterations}/${forgeSign.iterations})`,
    });
    const signingKey = await importSigningKey(
      credential.privateKey.export({ type: 'pkcs8', format: 'der' }),
      'RS256',
    );
    const threadPool = await measureConcurrent(() =>
      signClientAssertion({
        clientId: 'bench',
        tokenEndpoint,
        certificate: credential.certificate,
        signingKey,
        now: new Date(),
      }),
    );
    recordFigure({
      id: 'auth.assertion-signatures-per-s.thread-pool',
      figure: `client-assertion signatures/s, WebCrypto on the thread pool, ${VAULT_CONCURRENCY} in flight (the vault's ceiling)`,
      unit: 'signatures/s',
      value: threadPool.opsPerSecond,
      better: 'higher',
      baseline: forgeBaseline,
      note: `signClientAssertion RS256 with a non-extractable key already imported, no database, no audit: what the vault's signing path could reach at most on this machine's cores (n=${threadPool.iterations})`,
    });
    const cached = await measureVaultSigning(60_000);
    const uncached = await measureVaultSigning(0);
    const onPostgres = await withPostgres((url) => measureVaultSigning(60_000, url));
    const onPostgresReading = await withPostgres((url) => measureVaultSigning(60_000, url, 0));
    const vaultNote = (
      n: number,
      cache: string,
      database = 'SQLite (embedded default)',
      lookup = 'connection + active certificate kept for 1 s (VAULT_SIGNING_LOOKUP_CACHE_MS default)',
    ) =>
      `AssertionSigner.sign on ${database}: ${lookup}, ${cache}, sign RS256 ` +
      `(WebCrypto, thread pool), commit the audit record; ${VAULT_CONCURRENCY} in flight, ${n} signatures in ` +
      `${VAULT_BUDGET_MS / 1000} s; baseline = pure node-forge signing with its key already parsed`;
    recordFigure({
      id: 'vault.assertion-signatures-per-s',
      figure: 'client-assertion signatures/s in the vault (signing-key cache on)',
      unit: 'signatures/s',
      value: cached.opsPerSecond,
      better: 'higher',
      baseline: forgeBaseline,
      goal: 100 * forgeSign.opsPerSecond,
      note: vaultNote(cached.iterations, 'key kept imported (VAULT_SIGNING_KEY_CACHE_MS=60000)'),
    });
    recordFigure({
      id: 'vault.assertion-signatures-per-s.uncached',
      figure: 'client-assertion signatures/s in the vault (cache off, unwrap per signature)',
      unit: 'signatures/s',
      value: uncached.opsPerSecond,
      better: 'higher',
      baseline: forgeBaseline,
      goal: 100 * forgeSign.opsPerSecond,
      note: vaultNote(
        uncached.iterations,
        'envelope unwrapped + PKCS#8 imported per signature (VAULT_SIGNING_KEY_CACHE_MS=0)',
      ),
    });
    recordFigure({
      id: 'vault.assertion-signatures-per-s.postgres',
      figure: 'client-assertion signatures/s in the vault on PostgreSQL (signing-key cache on)',
      unit: 'signatures/s',
      value: onPostgres.opsPerSecond,
      better: 'higher',
      baseline: forgeBaseline,
      goal: 100 * forgeSign.opsPerSecond,
      note: vaultNote(
        onPostgres.iterations,
        'key kept imported (VAULT_SIGNING_KEY_CACHE_MS=60000)',
        'PostgreSQL',
      ),
    });
    recordFigure({
      id: 'vault.assertion-signatures-per-s.postgres.lookup-per-signature',
      figure: 'client-assertion signatures/s in the vault on PostgreSQL, connection read per signature',
      unit: 'signatures/s',
      value: onPostgresReading.opsPerSecond,
      better: 'higher',
      baseline: forgeBaseline,
      note: vaultNote(
        onPostgresReading.iterations,
        'key kept imported (VAULT_SIGNING_KEY_CACHE_MS=60000)',
        'PostgreSQL',
        'connection + active certificate read on every signature (VAULT_SIGNING_LOOKUP_CACHE_MS=0)',
      ),
    });
  } finally {
    forgeOptions.usePureJavaScript = previous;
  }
}
