import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { describeDevice, registerMdmDeviceCommand } from './mdm-device.command';

const ROOT = resolve(__dirname, '../../../..');

function easgate(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, 'tools/bin/easgate.js'), 'mdm', 'device', ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => done({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// Each case starts the real CLI (SWC-compiled on the fly): seconds on a busy machine.
jest.setTimeout(30_000);

function aDevice(wipes: NonNullable<Parameters<typeof describeDevice>[0]['wipes']>) {
  return {
    tenant: 'contoso.onmicrosoft.com',
    mdmDeviceId: 'mdm-7',
    mailbox: 'ada@contoso.com',
    state: 'full-wipe',
    access: 'block',
    action: 'full-wipe',
    rule: 'full-wipe',
    rulesVersion: 0,
    easDeviceIds: ['5eec4e941e0748a2'],
    wipes,
  };
}

const fallback = {
  deviceId: '5eec4e941e0748a2',
  state: 'sent',
  requested: 'full',
  sent: 'account-only',
  commandId: 'c1',
  requestedAt: '2026-12-01T01:00:00.000Z',
  completedAt: '2026-12-01T01:00:02.000Z',
  note: 'account-only wipe: full wipe unsupported for Outlook (REST) clients',
};

describe(registerMdmDeviceCommand.name, () => {
  let server: Server;
  let url: string;
  const asked: { path: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      asked.push({ path: req.url ?? '', headers: req.headers });
      if (req.url?.endsWith('/devices/mdm-7'))
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(aDevice([fallback])));
      else
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"code":"DEVICE_NOT_FOUND","message":"no MDM has reported device mdm-0"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("prints the device's wipe with what was sent and the account-only note, asking with the API token", async () => {
    const sut = await easgate(['mdm-7', '--tenant', 'contoso.onmicrosoft.com', '--url', url], {
      EASGATE_API_TOKEN: 'secret-token',
    });
    expect(sut.status).toBe(0);
    expect(sut.stdout).toContain('5eec4e941e0748a2: sent (full wipe requested, account-only wipe sent)');
    expect(sut.stdout).toContain('note: account-only wipe: full wipe unsupported for Outlook (REST) clients');
    expect(asked.at(-1)).toMatchObject({
      path: '/v1/tenants/contoso.onmicrosoft.com/devices/mdm-7',
      headers: { authorization: 'Bearer secret-token' },
    });
  });

  it('exits non-zero with the code and message the translator gives', async () => {
    const sut = await easgate(['mdm-0', '--tenant', 'contoso.onmicrosoft.com', '--url', url], {
      EASGATE_API_TOKEN: 'secret-token',
    });
    expect(sut.status).toBe(1);
    expect(sut.stderr).toContain('404 DEVICE_NOT_FOUND: no MDM has reported device mdm-0');
  });
});

describe(describeDevice.name, () => {
  it('says when a wipe failed, and why', () => {
    const lines = describeDevice(
      aDevice([
        {
          deviceId: 'EAS1',
          state: 'failed',
          requested: 'full',
          commandId: 'c2',
          requestedAt: '2026-12-01T01:00:00.000Z',
          error: { code: 'EXO_NOT_FOUND', message: 'no partnership for device EAS1 to wipe' },
        },
      ]),
      'contoso.onmicrosoft.com',
    );
    expect(lines).toContain('    EAS1: failed (full wipe), requested 2026-12-01T01:00:00.000Z');
    expect(lines).toContain('      error: EXO_NOT_FOUND: no partnership for device EAS1 to wipe');
  });

  it('says when a device has no wipe', () => {
    expect(describeDevice(aDevice([]), 'contoso.onmicrosoft.com').at(-1)).toBe('  wipes: none');
  });
});
