import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ServiceTopics, type ServiceName } from '@easgate/contracts';
import { createTestDatabase, testKafka, type TestDatabase, waitFor } from '@easgate/testing';
import { AssignerProtocol } from 'kafkajs';
import { buildApp } from '../build/build';
import { renderObjects, type K8sObject } from '../helm/helm';
import { startProcess, type StartedProcess } from './local-process';

const ROOT = join(__dirname, '../..');
const CHART = join(ROOT, 'deploy/helm/easgate');
const SERVICES = Object.keys(ServiceTopics) as ServiceName[];

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  command: string[];
  env: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  volumeMounts: { name: string; mountPath: string }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}
interface Volume {
  name: string;
  emptyDir?: unknown;
  projected?: { sources: { secret: { name: string; items: { key: string; path: string }[] } }[] };
}
interface PodSpec {
  containers: Container[];
  volumes: Volume[];
}
const podOf = (o: K8sObject) => (o['spec'] as { template: { spec: PodSpec } }).template.spec;

/** The pod's volumes as local directories; the secrets written from the test's Secret data. */
function materialise(
  pod: PodSpec,
  container: Container,
  dir: string,
  secrets: Record<string, Record<string, string>>,
) {
  const mounts: [string, string][] = [];
  for (const mount of container.volumeMounts) {
    const volume = pod.volumes.find((v) => v.name === mount.name)!;
    const local = join(dir, mount.name);
    mkdirSync(local, { recursive: true });
    for (const source of volume.projected?.sources ?? []) {
      for (const item of source.secret.items) {
        const value = secrets[source.secret.name]?.[item.key];
        if (value === undefined) throw new Error(`Secret ${source.secret.name} has no key ${item.key}`);
        mkdirSync(dirname(join(local, item.path)), { recursive: true });
        writeFileSync(join(local, item.path), value, { mode: 0o440 });
      }
    }
    mounts.push([mount.mountPath, local]);
  }
  // Longest mount path first, so /var/run/secrets/easgate wins over a shorter prefix.
  return mounts.sort((a, b) => b[0].length - a[0].length);
}

/** Exactly the rendered environment: literal values, Secret references resolved, mount paths made local. */
function environmentOf(
  container: Container,
  mounts: [string, string][],
  secrets: Record<string, Record<string, string>>,
) {
  const env: Record<string, string> = {};
  for (const e of container.env) {
    const ref = e.valueFrom?.secretKeyRef;
    let value = ref ? secrets[ref.name]?.[ref.key] : e.value;
    if (value === undefined) throw new Error(`${e.name}: no value (Secret ${ref?.name}/${ref?.key}?)`);
    const mount = mounts.find(([path]) => value!.startsWith(`${path}/`) || value === path);
    if (mount) value = mount[1] + value.slice(mount[0].length);
    env[e.name] = value;
  }
  return env;
}

function probeUrl(container: Container, probe: Probe | undefined): string {
  if (!probe?.httpGet) throw new Error(`${container.name}: no httpGet probe`);
  const { path, port } = probe.httpGet;
  const number =
    typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;
  if (number === undefined) throw new Error(`${container.name}: probe port ${port} is not a container port`);
  return `http://127.0.0.1:${number}${path}`;
}

function compiledSource(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js') && statSync(join(dir, f)).isFile())
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

// The chart and the code agree: each rendered Deployment's command runs as a local process with exactly
// the rendered environment on the real Kafka broker and PostgreSQL, its probes answer at the rendered
// ports and paths, and what it subscribes to on the broker is what the catalogue (and so the chart's
// KafkaUser ACLs) says it consumes.
describe('the Helm chart and the code', () => {
  let scratch: string;
  let database: TestDatabase;
  let deployments: K8sObject[];
  let migrations: K8sObject;
  let secrets: Record<string, Record<string, string>>;
  const processes: StartedProcess[] = [];
  const base = 20_100 + 10 * Math.floor(Math.random() * 80);

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'easgate-agreement-'));
    for (const app of [...SERVICES, 'cli']) buildApp(app);
    database = await createTestDatabase('easgate_chart');
    secrets = {
      'agreement-db': { url: database.url },
      'agreement-api': { token: randomBytes(24).toString('base64url') },
      'agreement-vault': {
        'master-key': randomBytes(32).toString('base64'),
        'previous-keys': randomBytes(32).toString('base64'),
      },
      'agreement-alerting': { 'secrets-key': randomBytes(32).toString('base64') },
    };
    const values = join(scratch, 'agreement-values.yaml');
    writeFileSync(
      values,
      [
        'kafka:',
        `  bootstrapServers: ${process.env['KAFKA_BROKERS']}`,
        'database: { urlSecret: { name: agreement-db, key: url } }',
        'api: { tokenSecret: { name: agreement-api, key: token } }',
        'vault:',
        '  masterKeySecret: { name: agreement-vault, key: master-key }',
        '  previousKeysSecret: { name: agreement-vault, key: previous-keys }',
        'alerting: { secretsKeySecret: { name: agreement-alerting, key: secrets-key } }',
        'migrations: { mode: job, hooks: false }',
        'services:',
        `  cert-vault: { port: ${base + 1} }`,
        // The broker is shared: this executor serves a tenant of its own and leaves every other one alone.
        `  exchange-executor: { port: ${base + 2}, env: { EXECUTOR_TENANTS: agreement-${randomBytes(4).toString('hex')}.example } }`,
        `  policy-translator: { port: ${base + 3} }`,
        `  alerting: { port: ${base + 4} }`,
        '',
      ].join('\n'),
    );
    const objects = await renderObjects(CHART, { valuesFiles: [values] });
    deployments = objects.filter((o) => o.kind === 'Deployment');
    migrations = objects.find((o) => o.kind === 'Job')!;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await database?.drop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  function run(workload: K8sObject): { process: StartedProcess; container: Container } {
    const pod = podOf(workload);
    const container = pod.containers[0];
    const mounts = materialise(pod, container, join(scratch, workload.metadata.name), secrets);
    const started = startProcess({
      command: container.command,
      cwd: ROOT,
      env: environmentOf(container, mounts, secrets),
    });
    processes.push(started);
    return { process: started, container };
  }

  it('renders one Deployment per service, each running its compiled app', () => {
    expect(deployments.map((d) => podOf(d).containers[0].command).sort()).toEqual(
      SERVICES.map((s) => ['node', `dist/apps/${s}/main.js`]).sort(),
    );
  });

  it('sets only environment names the compiled code reads', () => {
    for (const deployment of deployments) {
      const container = podOf(deployment).containers[0];
      const code = compiledSource(join(ROOT, 'dist/apps', container.name));
      const unread = container.env
        .map((e) => e.name)
        .filter((name) => !new RegExp(`(^|[^A-Z0-9_])${name}([^A-Z0-9_]|$)`).test(code));
      expect({ service: container.name, unread }).toEqual({ service: container.name, unread: [] });
    }
  });

  it('runs the migrations Job to completion with its rendered command and environment', async () => {
    const { process: job } = run(migrations);
    const code = await job.exited();
    expect({ code, output: code === 0 ? '' : job.output() }).toEqual({ code: 0, output: '' });
    expect(job.output()).toContain('alerting: migrated');
  }, 60_000);

  it('starts every service to ready at its rendered probes, and each subscribes to what the catalogue says', async () => {
    const started = deployments.map(run);
    for (const { process: p, container } of started) {
      await p.waitForHttp(probeUrl(container, container.startupProbe), 90_000);
      await p.waitForHttp(probeUrl(container, container.readinessProbe), 30_000);
      expect(await p.status(probeUrl(container, container.livenessProbe))).toBe(200);
    }

    const admin = testKafka().admin();
    await admin.connect();
    const subscriptionsOf = async (service: ServiceName) => {
      const groups = (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((g) => g === `easgate-${service}` || g.startsWith(`easgate-${service}-`));
      const described = groups.length > 0 ? (await admin.describeGroups(groups)).groups : [];
      const topics = described.flatMap((g) =>
        g.members.flatMap((m) => AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? []),
      );
      return [...new Set(topics)].sort();
    };
    try {
      for (const service of SERVICES) {
        const expected = [...ServiceTopics[service].consumes].sort();
        // alerting's dead-letter watch joins its own group just after the HTTP port opens.
        const subscribed = await waitFor(
          `${service}'s consumer groups`,
          async () => {
            const now = await subscriptionsOf(service);
            return JSON.stringify(now) === JSON.stringify(expected) && now;
          },
          { timeoutMs: 20_000, intervalMs: 500 },
        ).catch(() => subscriptionsOf(service));
        expect({ service, subscribed }).toEqual({ service, subscribed: expected });
      }
    } finally {
      await admin.disconnect();
    }
  }, 180_000);
});
