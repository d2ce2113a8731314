import {
  DistributedEasgate,
  E2eKafkaBroker,
  e2eRunDirectory,
  SandboxProcess,
  TcpProxy,
} from '@easgate/testing';

/** Ports of the distributed suite (the range 24000-24999; 24300+ belongs to the kill test). */
export const DistributedPorts = {
  kafka: 24092,
  kafkaController: 24093,
  postgresProxy: 24543,
  sandbox: 24443,
  services: 24101,
} as const;

/**
 * Fast alerting and health timings, so that a scenario sees alerts fire and resolve in seconds. The
 * retry budgets of message handling and Exchange calls stay the product's defaults.
 */
export const FAST_TIMINGS: NodeJS.ProcessEnv = {
  ALERTING_RESOLVE_HOLD_SECONDS: '3',
  ALERTING_FLAP_WINDOW_SECONDS: '0',
  ALERTING_THROTTLING_SUSTAIN_SECONDS: '2',
  ALERTING_SWEEP_INTERVAL_SECONDS: '2',
  EXECUTOR_HEALTH_INTERVAL_MS: '1000',
  EXECUTOR_HEALTH_WINDOW_SECONDS: '15',
  EXECUTOR_CIRCUIT_OPEN_MS: '3000',
  VAULT_EXPIRY_SCANNER: 'false',
};

export interface DistributedWorld {
  runDir: string;
  broker: E2eKafkaBroker;
  proxy: TcpProxy;
  sandbox: SandboxProcess;
  easgate: DistributedEasgate;
}

/**
 * What the distributed scenarios share: one broker of the suite's own, the PostgreSQL proxy, the
 * sandbox process and one deployment of the four services.
 */
export async function startDistributedWorld(world: Partial<DistributedWorld>): Promise<DistributedWorld> {
  const runDir = e2eRunDirectory('distributed');
  world.runDir = runDir;
  process.stdout.write(`e2e: logs and figures of this run in ${runDir}\n`);
  const broker = await E2eKafkaBroker.start({
    homeDir: `/tmp/easgate-e2e-kafka-${DistributedPorts.kafka}`,
    port: DistributedPorts.kafka,
    controllerPort: DistributedPorts.kafkaController,
  });
  world.broker = broker;
  const proxy = await TcpProxy.start({
    listenPort: DistributedPorts.postgresProxy,
    targetHost: '127.0.0.1',
    targetPort: 5432,
  });
  world.proxy = proxy;
  const sandbox = await SandboxProcess.start({ runDir, port: DistributedPorts.sandbox });
  world.sandbox = sandbox;
  const easgate = await DistributedEasgate.start({
    runDir,
    brokers: broker.brokers,
    sandbox,
    postgres: { host: '127.0.0.1', port: proxy.port },
    basePort: DistributedPorts.services,
    env: FAST_TIMINGS,
    fullWipes: true,
    onStarted: (started) => (world.easgate = started),
  });
  return { runDir, broker, proxy, sandbox, easgate };
}

/** Stops whatever of the world was started (the broker last). */
export async function stopDistributedWorld(world: Partial<DistributedWorld>): Promise<void> {
  await world.easgate?.stop().catch(() => undefined);
  await world.sandbox?.stop().catch(() => undefined);
  await world.proxy?.close().catch(() => undefined);
  await world.broker?.stop().catch(() => undefined);
}

/** A thrown start error names the run directory, where every process log is. */
export function withLogs(runDir: string | undefined, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  return new Error(`${message}\n(process logs: ${runDir ?? 'no run directory yet'})`);
}
