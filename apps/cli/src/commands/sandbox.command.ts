import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type RunningSandbox,
  type SandboxAppOption,
  type SandboxOptions,
  startSandbox,
} from '@easgate/exo-sandbox';
import type { Command } from 'commander';
import { collect, integerFlag, UsageError } from './usage';

interface SandboxStartOptions {
  host: string;
  port: string;
  tlsDir: string;
  tenantId?: string;
  organization?: string;
  app: string[];
  mailboxes: string;
  devices: string;
  seed: string;
  latencyMs: string;
  throttlePerSecond: string;
  tokenLifetime: string;
}

/** `--app <appId>=<certificate file>`: consent granted and the Exchange Administrator role. */
function parseApp(spec: string): SandboxAppOption {
  const at = spec.indexOf('=');
  if (at <= 0) throw new UsageError(`--app expects <appId>=<certificate file .cer/.pem> (got '${spec}')`);
  const appId = spec.slice(0, at).trim();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(appId)) {
    throw new UsageError(`--app: '${appId}' is not an application (client) id GUID`);
  }
  return { appId, certificates: [readFileSync(resolve(spec.slice(at + 1)))] };
}

export function sandboxOptionsFrom(o: SandboxStartOptions): SandboxOptions {
  return {
    tlsDir: resolve(o.tlsDir),
    host: o.host,
    port: integerFlag('port', o.port, 0),
    ...(o.tenantId ? { tenantId: o.tenantId } : {}),
    ...(o.organization ? { organization: o.organization } : {}),
    apps: o.app.map(parseApp),
    mailboxes: integerFlag('mailboxes', o.mailboxes, 0),
    devices: integerFlag('devices', o.devices, 0),
    seed: integerFlag('seed', o.seed, 0),
    knobs: {
      latencyMs: integerFlag('latency-ms', o.latencyMs, 0),
      throttlePerSecond: integerFlag('throttle-per-second', o.throttlePerSecond, 0),
      tokenLifetimeSeconds: integerFlag('token-lifetime', o.tokenLifetime, 1),
    },
  };
}

function printBanner(s: RunningSandbox): void {
  console.log(`exo-sandbox listening on ${s.baseUrl}`);
  console.log(`  tenant id:       ${s.tenantId}`);
  console.log(`  organization:    ${s.organization}`);
  console.log(`  authority:       ${s.authority}   (msal knownAuthorities: ["${s.knownAuthority}"])`);
  console.log(`  token endpoint:  ${s.tokenEndpoint}`);
  console.log(`  admin API:       ${s.invokeCommandUrl}`);
  console.log(`  sandbox admin:   ${s.baseUrl}/_sandbox/info`);
  console.log(`  CA certificate:  ${s.caPath}   (e.g. NODE_EXTRA_CA_CERTS=${s.caPath})`);
  console.log(`  mailboxes/devices: ${s.sandbox.store.mailboxTotal}/${s.sandbox.store.deviceTotal}`);
  for (const app of s.apps)
    console.log(`  app ${app.appId} (object id ${app.objectId}): consent granted, Exchange Administrator`);
  console.log('Press Ctrl-C to stop.');
}

export function registerSandboxCommands(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('a local stand-in for the Microsoft identity platform and the Exchange Online admin API');
  sandbox
    .command('start')
    .description('serve the sandbox over HTTPS until Ctrl-C')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', '8443')
    .requiredOption(
      '--tls-dir <dir>',
      'where ca.pem, the server certificate and the token-signing key live (created if missing)',
    )
    .option('--tenant-id <guid>', 'tenant id')
    .option('--organization <name>', 'the <name>.onmicrosoft.com organization')
    .option(
      '--app <appId=certificateFile>',
      'register an app with this public certificate (.cer/.pem); repeatable',
      collect,
      [],
    )
    .option('--mailboxes <n>', 'seeded mailboxes', '50')
    .option('--devices <n>', 'seeded mobile devices', '100')
    .option('--seed <n>', 'seed of the deterministic data', '1')
    .option('--latency-ms <n>', 'latency added to every call', '0')
    .option('--throttle-per-second <n>', 'cmdlet calls per second per app before 429 (0 = unlimited)', '0')
    .option('--token-lifetime <seconds>', 'access token lifetime', '3599')
    .action(async (options: SandboxStartOptions) => {
      let sandboxOptions: SandboxOptions;
      try {
        sandboxOptions = sandboxOptionsFrom(options);
      } catch (err) {
        if (err instanceof UsageError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
          console.error(`easgate sandbox start: ${(err as Error).message}`);
          process.exitCode = 1;
          return;
        }
        throw err;
      }
      const running = await startSandbox(sandboxOptions);
      printBanner(running);
      await new Promise<void>((resolveStop) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolveStop();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await running.close();
      console.log('exo-sandbox stopped.');
    });
}
