import {
  ConfidentialClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
} from '@azure/msal-node';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { type RunningSandbox, startSandbox } from '../src';
import {
  buildClientAssertion,
  buildGraphProof,
  describeCertificate,
  type TestCertificate,
} from '../src/testing/client-assertion';

/** An RSA certificate made by the OpenSSL binary; the key password goes through the environment. */
function opensslCertificate(dir: string, cn: string): TestCertificate {
  const password = randomBytes(12).toString('hex');
  const env = { ...process.env, CERT_PASSWORD: password };
  const keyPath = join(dir, `${cn}.key`);
  const certPath = join(dir, `${cn}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '30',
      '-subj',
      `/CN=${cn}`,
      '-passout',
      'env:CERT_PASSWORD',
    ],
    { env, stdio: 'ignore' },
  );
  const keyPem = createPrivateKey({ key: readFileSync(keyPath, 'utf8'), passphrase: password })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return describeCertificate(readFileSync(certPath, 'utf8'), keyPem);
}

interface Ctx {
  sut: RunningSandbox;
  dispatcher: Agent;
  cert: TestCertificate;
  appId: string;
  dir: string;
}

async function call(
  ctx: Ctx,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.headers,
    body: init.body,
    dispatcher: ctx.dispatcher,
  });
  const text = await res.text();
  // Response bodies are loosely typed JSON; the assertions check their shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

async function token(ctx: Ctx, cert = ctx.cert, appId = ctx.appId, extra: Record<string, string> = {}) {
  const assertion = buildClientAssertion(cert, { clientId: appId, audience: ctx.sut.tokenEndpoint });
  return call(ctx, ctx.sut.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: appId,
      scope: 'https://outlook.office365.com/.default',
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      ...extra,
    }).toString(),
  });
}

async function accessToken(ctx: Ctx, cert = ctx.cert, appId = ctx.appId): Promise<string> {
  const res = await token(ctx, cert, appId);
  expect(res.status).toBe(200);
  return res.json.access_token as string;
}

async function invoke(
  ctx: Ctx,
  bearer: string,
  cmdlet: string,
  parameters: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  url = ctx.sut.invokeCommandUrl,
) {
  return call(ctx, url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${bearer}`,
      'Content-Type': 'application/json',
      'X-CmdletName': cmdlet,
      'X-ResponseFormat': 'json',
      'X-AnchorMailbox': `UPN:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${ctx.sut.organization}`,
      'connection-id': randomUUID(),
      ...headers,
    },
    body: JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } }),
  });
}

describe('exo-sandbox over HTTPS', () => {
  const ctx = {} as Ctx;

  beforeAll(async () => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'exo-sandbox-'));
    ctx.cert = opensslCertificate(ctx.dir, 'easgate-app');
    ctx.appId = randomUUID();
    ctx.sut = await startSandbox({
      tlsDir: join(ctx.dir, 'tls'),
      mailboxes: 40,
      devices: 130,
      seed: 42,
      apps: [{ appId: ctx.appId, certificates: [ctx.cert.certPem] }],
    });
    ctx.dispatcher = new Agent({ connect: { ca: ctx.sut.caPem } });
  });

  afterAll(async () => {
    await ctx.sut.close();
    await ctx.dispatcher.close();
    rmSync(ctx.dir, { recursive: true, force: true });
  });

  it('gives real msal-node a token (knownAuthorities, OpenID discovery, PS256 assertion) that runs a cmdlet', async () => {
    // The sandbox CA is trusted through msal's networkClient with an undici Agent({ connect: { ca } }).
    const send = async <T>(
      method: string,
      url: string,
      options?: NetworkRequestOptions,
    ): Promise<{ headers: Record<string, string>; body: T; status: number }> => {
      const res = await fetch(url, {
        method,
        headers: options?.headers,
        body: options?.body,
        dispatcher: ctx.dispatcher,
      });
      return {
        headers: Object.fromEntries(res.headers),
        body: (await res.json()) as T,
        status: res.status,
      };
    };
    const networkClient: INetworkModule = {
      sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('GET', url, options),
      sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) =>
        send<T>('POST', url, options),
    };
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: ctx.appId,
        authority: ctx.sut.authority,
        knownAuthorities: [ctx.sut.knownAuthority],
        clientCertificate: { thumbprintSha256: ctx.cert.sha256Hex, privateKey: ctx.cert.keyPem },
      },
      system: { networkClient },
    });
    const result = await cca.acquireTokenByClientCredential({
      scopes: ['https://outlook.office365.com/.default'],
    });
    const res = await invoke(ctx, result!.accessToken, 'Get-OrganizationConfig');
    expect(res.status).toBe(200);
    expect(res.json.value[0].Name).toBe(ctx.sut.organization);
    const audit = ctx.sut.sandbox.audit.query({ appId: ctx.appId });
    expect(audit.map((a) => [a.kind, a.outcome])).toEqual(
      expect.arrayContaining([
        ['token', 'ok'],
        ['cmdlet', 'ok'],
      ]),
    );
  });

  it('serves an OpenID configuration whose issuer is on the same scheme, host and port', async () => {
    const res = await call(
      ctx,
      `${ctx.sut.baseUrl}/${ctx.sut.organization}/v2.0/.well-known/openid-configuration`,
    );
    expect(res.json.issuer).toBe(`${ctx.sut.baseUrl}/${ctx.sut.tenantId}/v2.0`);
    expect(res.json.token_endpoint).toBe(ctx.sut.tokenEndpoint);
  });

  it.each([
    [
      'an unregistered certificate',
      700027,
      401,
      'invalid_client',
      () => ({ cert: opensslCertificate(ctx.dir, 'stranger') }),
    ],
    ['an unknown client id', 700016, 400, 'unauthorized_client', () => ({ appId: randomUUID() })],
    [
      'a client secret',
      7000215,
      401,
      'invalid_client',
      () => ({ extra: { client_secret: 'not-a-certificate' } }),
    ],
  ])('answers %s with AADSTS%d in the Entra error shape', async (_name, code, status, error, build) => {
    const { cert, appId, extra } = build() as {
      cert?: TestCertificate;
      appId?: string;
      extra?: Record<string, string>;
    };
    const clientId = appId ?? ctx.appId;
    const res = await token(ctx, cert ?? ctx.cert, clientId, {
      ...extra,
      'client-request-id': 'c0ffee00-0000-4000-8000-000000000001',
    });
    expect(res.status).toBe(status);
    expect(res.json).toEqual({
      error,
      error_description: expect.stringMatching(
        new RegExp(
          `^AADSTS${code}: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: c0ffee00-0000-4000-8000-000000000001\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
          's',
        ),
      ),
      error_codes: [code],
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
      trace_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      correlation_id: 'c0ffee00-0000-4000-8000-000000000001',
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    });
  });

  it('answers AADSTS700024 for an expired hand-built assertion, 90002 for an unknown tenant and 7000229 without a service principal', async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    const expired = buildClientAssertion(ctx.cert, {
      clientId: ctx.appId,
      audience: ctx.sut.tokenEndpoint,
      nbf: past,
      exp: past + 600,
    });
    const form = (assertion: string, clientId = ctx.appId) =>
      new URLSearchParams({
        client_id: clientId,
        scope: 'https://outlook.office365.com/.default',
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }).toString();
    const post = (url: string, body: string) =>
      call(ctx, url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      });
    expect((await post(ctx.sut.tokenEndpoint, form(expired))).json.error_codes).toEqual([700024]);
    const unknownTenant = await post(
      `${ctx.sut.baseUrl}/fabrikam.onmicrosoft.com/oauth2/v2.0/token`,
      form(expired),
    );
    expect([unknownTenant.status, unknownTenant.json.error, unknownTenant.json.error_codes]).toEqual([
      400,
      'invalid_tenant',
      [90002],
    ]);
    const foreign = ctx.sut.sandbox.registerApp({
      certificates: [ctx.cert.certPem],
      servicePrincipal: false,
    });
    const noSp = await post(
      ctx.sut.tokenEndpoint,
      form(
        buildClientAssertion(ctx.cert, { clientId: foreign.appId, audience: ctx.sut.tokenEndpoint }),
        foreign.appId,
      ),
    );
    expect([noSp.status, noSp.json.error, noSp.json.error_codes]).toEqual([401, 'invalid_client', [7000229]]);
  });

  it('pages through every device exactly once, following nextLink by GET and by POST', async () => {
    const bearer = await accessToken(ctx);
    const seen: string[] = [];
    let res = await invoke(
      ctx,
      bearer,
      'Get-MobileDevice',
      { ResultSize: 'Unlimited' },
      { Prefer: 'odata.maxpagesize=25' },
    );
    let usePost = false;
    for (;;) {
      expect(res.status).toBe(200);
      seen.push(...(res.json.value as { Guid: string }[]).map((d) => d.Guid));
      const next = res.json['@odata.nextLink'] as string | undefined;
      if (!next) break;
      res = usePost
        ? await invoke(
            ctx,
            bearer,
            'Get-MobileDevice',
            { ResultSize: 'Unlimited' },
            { Prefer: 'odata.maxpagesize=25' },
            next,
          )
        : await call(ctx, next, {
            headers: { Authorization: `Bearer ${bearer}`, Prefer: 'odata.maxpagesize=25' },
          });
      usePost = !usePost;
    }
    expect(seen).toHaveLength(ctx.sut.sandbox.store.deviceTotal);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('shows DeviceDiscovery for a connecting device, then the approve/block/quarantine outcomes', async () => {
    const bearer = await accessToken(ctx);
    await call(ctx, `${ctx.sut.baseUrl}/_sandbox/mailboxes`, {
      method: 'POST',
      body: JSON.stringify({ alias: 'adele' }),
    });
    const connected = await call(ctx, `${ctx.sut.baseUrl}/_sandbox/devices`, {
      method: 'POST',
      body: JSON.stringify({
        mailbox: 'adele',
        deviceId: 'ApplNEW0000000001',
        deviceType: 'iPhone',
        deviceModel: 'iPhone16C1',
      }),
    });
    const identity = connected.json.Identity as string;
    const state = async () => {
      const r = await invoke(ctx, bearer, 'Get-MobileDevice', { Identity: identity });
      const device = (r.json.value as Record<string, string>[])[0];
      return [device.DeviceAccessState, device.DeviceAccessStateReason];
    };
    expect(await state()).toEqual(['DeviceDiscovery', 'Global']);
    await invoke(ctx, bearer, 'Set-CASMailbox', {
      Identity: 'adele',
      ActiveSyncAllowedDeviceIDs: { '@odata.type': '#Exchange.GenericHashTable', Add: 'ApplNEW0000000001' },
    });
    expect(await state()).toEqual(['Allowed', 'Individual']);
    await invoke(ctx, bearer, 'Set-CASMailbox', {
      Identity: 'adele',
      ActiveSyncBlockedDeviceIDs: { '@odata.type': '#Exchange.GenericHashTable', Add: 'ApplNEW0000000001' },
    });
    expect(await state()).toEqual(['Blocked', 'Individual']);
    await invoke(ctx, bearer, 'Set-CASMailbox', {
      Identity: 'adele',
      ActiveSyncBlockedDeviceIDs: null,
      ActiveSyncAllowedDeviceIDs: null,
    });
    await call(
      ctx,
      `${ctx.sut.baseUrl}/_sandbox/devices/${encodeURIComponent(identity)}/complete-discovery`,
      { method: 'POST' },
    );
    const rule = await invoke(ctx, bearer, 'New-ActiveSyncDeviceAccessRule', {
      QueryString: 'iPhone16C1',
      Characteristic: 'DeviceModel',
      AccessLevel: 'Quarantine',
    });
    expect(rule.status).toBe(200);
    expect(await state()).toEqual(['Quarantined', 'DeviceRule']);
  });

  it('answers 429 with Retry-After when the app exceeds its budget', async () => {
    const bearer = await accessToken(ctx);
    ctx.sut.sandbox.setKnobs({ throttlePerSecond: 1 });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 4; i++) {
        const res = await invoke(ctx, bearer, 'Get-ActiveSyncOrganizationSettings');
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      ctx.sut.sandbox.setKnobs({ throttlePerSecond: 0 });
    }
  });

  it('refuses a cmdlet outside the app role with 401 "User is not allowed to call"', async () => {
    const reader = ctx.sut.sandbox.registerApp({
      certificates: [ctx.cert.certPem],
      consentGranted: true,
      roles: ['Global Reader'],
    });
    const bearer = await accessToken(ctx, ctx.cert, reader.appId);
    expect((await invoke(ctx, bearer, 'Get-CASMailbox', { ResultSize: 1 })).status).toBe(200);
    const refused = await invoke(ctx, bearer, 'Set-CASMailbox', {
      Identity: 'adele',
      ActiveSyncEnabled: false,
    });
    expect(refused.status).toBe(401);
    expect(refused.json.error).toMatchObject({
      code: 'Unauthorized',
      message: 'User is not allowed to call Set-CASMailbox',
    });
  });

  it('answers 403 to a token without Exchange.ManageAsApp (no consent)', async () => {
    const unconsented = ctx.sut.sandbox.registerApp({
      certificates: [ctx.cert.certPem],
      roles: ['Exchange Administrator'],
    });
    const res = await invoke(ctx, await accessToken(ctx, ctx.cert, unconsented.appId), 'Get-Mailbox');
    expect(res.status).toBe(403);
  });

  it('answers an injected 503 once, then serves the retry', async () => {
    const bearer = await accessToken(ctx);
    await call(ctx, `${ctx.sut.baseUrl}/_sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({
        kind: 'http-503',
        target: 'adminapi',
        cmdlet: 'Get-Mailbox',
        retryAfterSeconds: 2,
      }),
    });
    const first = await invoke(ctx, bearer, 'Get-Mailbox', { ResultSize: 1 });
    expect([first.status, first.headers.get('retry-after')]).toEqual([503, '2']);
    expect((await invoke(ctx, bearer, 'Get-Mailbox', { ResultSize: 1 })).status).toBe(200);
  });

  it('rotates a certificate with Graph addKey, proving possession of the current one', async () => {
    const app = ctx.sut.apps[0];
    const graphToken = await call(ctx, ctx.sut.tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: ctx.appId,
        scope: 'https://graph.microsoft.com/.default',
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: buildClientAssertion(ctx.cert, {
          clientId: ctx.appId,
          audience: ctx.sut.tokenEndpoint,
        }),
      }).toString(),
    });
    const next = opensslCertificate(ctx.dir, 'next');
    const der = Buffer.from(next.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64');
    const res = await call(ctx, `${ctx.sut.baseUrl}/v1.0/applications/${app.objectId}/addKey`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${graphToken.json.access_token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        keyCredential: { type: 'AsymmetricX509Cert', usage: 'Verify', key: der },
        passwordCredential: null,
        proof: buildGraphProof(ctx.cert, app.objectId),
      }),
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      type: 'AsymmetricX509Cert',
      usage: 'Verify',
      customKeyIdentifier: next.sha1Hex,
    });
    expect((await token(ctx, next)).status).toBe(200);
  });
});
