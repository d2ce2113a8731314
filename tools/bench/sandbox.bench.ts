import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as forge from 'node-forge';
import { generateKeyPairSync, sign } from 'node:crypto';
import { Agent, fetch } from 'undici';
import { startSandbox } from '@easgate/exo-sandbox';

const MAILBOXES = 100_000;
const DEVICES = 200_000;
const PAGE_SIZE = 1_000;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function certificate(): { certPem: string; keyPem: string; x5t: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: 'bench' }]);
  cert.setIssuer([{ name: 'commonName', value: 'bench' }]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  const x5t = forge.md.sha1.create().update(der.toString('binary')).digest().toHex();
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: privateKey,
    x5t: Buffer.from(x5t, 'hex').toString('base64url'),
  };
}

/** Seeds 100k mailboxes / 200k devices, then pages through every device over HTTPS at 1,000 a page. */
export async function runSandboxBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-bench-'));
  const cert = certificate();
  const appId = randomUUID();
  const heapBeforeSeed = process.memoryUsage().heapUsed;
  const sandbox = await startSandbox({
    tlsDir: dir,
    mailboxes: MAILBOXES,
    devices: DEVICES,
    seed: 1,
    apps: [{ appId, certificates: [cert.certPem] }],
  });
  const dispatcher = new Agent({ connect: { ca: sandbox.caPem } });
  try {
    console.log(
      `sandbox: seeded ${MAILBOXES.toLocaleString()} mailboxes / ${DEVICES.toLocaleString()} devices in ${sandbox.sandbox.seedDurationMs.toFixed(0)} ms (heap +${mb(process.memoryUsage().heapUsed - heapBeforeSeed)})`,
    );

    const now = Math.floor(Date.now() / 1000);
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5t: cert.x5t })).toString(
      'base64url',
    );
    const claims = Buffer.from(
      JSON.stringify({
        aud: sandbox.tokenEndpoint,
        iss: appId,
        sub: appId,
        jti: randomUUID(),
        nbf: now,
        iat: now,
        exp: now + 600,
      }),
    ).toString('base64url');
    const assertion = `${header}.${claims}.${sign('sha256', Buffer.from(`${header}.${claims}`), cert.keyPem).toString('base64url')}`;
    const tokenRes = await fetch(sandbox.tokenEndpoint, {
      method: 'POST',
      dispatcher,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: appId,
        scope: 'https://outlook.office365.com/.default',
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }).toString(),
    });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    let peakRss = rssBefore;
    const started = performance.now();
    let url: string | undefined = sandbox.invokeCommandUrl;
    let count = 0;
    let pages = 0;
    const slowest = { ms: 0, page: 0 };
    while (url) {
      const t0 = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        dispatcher,
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Prefer: `odata.maxpagesize=${PAGE_SIZE}`,
        },
        body: JSON.stringify({
          CmdletInput: { CmdletName: 'Get-MobileDevice', Parameters: { ResultSize: 'Unlimited' } },
        }),
      });
      const body = (await res.json()) as { value: unknown[]; '@odata.nextLink'?: string };
      const ms = performance.now() - t0;
      pages++;
      if (ms > slowest.ms) Object.assign(slowest, { ms, page: pages });
      count += body.value.length;
      url = body['@odata.nextLink'];
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const elapsed = performance.now() - started;
    console.log(
      `sandbox: paged ${count.toLocaleString()} devices in ${pages} pages of ${PAGE_SIZE} over HTTPS in ${(elapsed / 1000).toFixed(2)} s ` +
        `(${(elapsed / pages).toFixed(1)} ms/page avg, slowest page #${slowest.page} ${slowest.ms.toFixed(1)} ms); ` +
        `RSS ${mb(rssBefore)} -> peak ${mb(peakRss)} (+${mb(peakRss - rssBefore)}), heap delta ${mb(process.memoryUsage().heapUsed - heapBefore)}`,
    );
  } finally {
    await sandbox.close();
    await dispatcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
