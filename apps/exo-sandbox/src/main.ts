import { startSandbox } from '@easgate/exo-sandbox';

// Thin standalone entry: configuration from the environment, then the same sandbox `easgate sandbox start` runs.
const env = process.env;
const tlsDir = env.EXO_SANDBOX_TLS_DIR;
if (!tlsDir) {
  process.stderr.write('exo-sandbox: EXO_SANDBOX_TLS_DIR is required\n');
  process.exit(1);
}
const num = (key: string, fallback: number) => (env[key] === undefined ? fallback : Number(env[key]));

startSandbox({
  tlsDir,
  host: env.EXO_SANDBOX_HOST ?? '127.0.0.1',
  port: num('EXO_SANDBOX_PORT', 8443),
  ...(env.EXO_SANDBOX_TENANT_ID ? { tenantId: env.EXO_SANDBOX_TENANT_ID } : {}),
  ...(env.EXO_SANDBOX_ORGANIZATION ? { organization: env.EXO_SANDBOX_ORGANIZATION } : {}),
  mailboxes: num('EXO_SANDBOX_MAILBOXES', 50),
  devices: num('EXO_SANDBOX_DEVICES', 100),
  seed: num('EXO_SANDBOX_SEED', 1),
  knobs: {
    latencyMs: num('EXO_SANDBOX_LATENCY_MS', 0),
    throttlePerSecond: num('EXO_SANDBOX_THROTTLE_PER_SECOND', 0),
    tokenLifetimeSeconds: num('EXO_SANDBOX_TOKEN_LIFETIME', 3599),
  },
})
  .then((s) => {
    process.stdout.write(
      `${JSON.stringify({ msg: 'exo-sandbox listening', baseUrl: s.baseUrl, tenantId: s.tenantId, organization: s.organization, caPath: s.caPath })}\n`,
    );
    const stop = () => void s.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  })
  .catch((err: unknown) => {
    process.stderr.write(`exo-sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
