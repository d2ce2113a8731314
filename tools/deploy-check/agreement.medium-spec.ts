import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ServiceTopics, type ServiceName } from '@easgate/contracts';
import { generateServiceKey, issueServiceToken, serviceKeyFromPem } from '@easgate/identity';
import { createTestDatabase, testKafka, type TestDatabase, waitFor } from '@easgate/testing';
import { peerDispatcher } from '@easgate/tls';
import { AssignerProtocol } from 'kafkajs';
import { buildApp } from '../build/build';
import { renderObjects, type K8sObject } from '../helm/helm';
import { compiledSource, unreadEnvNames } from './env-names';
import { startProcess, type StartedProcess } from './local-process';

const ROOT = join(__dirname, '../..');
const CHART = join(ROOT, 'deploy/helm/easgate');
const SERVICES = Object.keys(ServiceTopics) as ServiceName[];
const GATEWAY = 'console-gateway';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Probe {
  httpGet?: { path: string; port: string | number; scheme?: 'HTTP' | 'HTTPS' };
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
interface Items {
  name: string;
  items: { key: string; path: string }[];
}
interface Volume {
  name: string;
  emptyDir?: unknown;
  secret?: { secretName: string; items: { key: string; path: string }[] };
  projected?: { sources: { secret?: Items; configMap?: Items }[] };
}
interface PodSpec {
  initContainers?: Container[];
  containers: Container[];
  volumes: Volume[];
}
/** Secret and ConfigMap data by name (the test plays the cluster's API). */
type Store = Record<string, Record<string, string>>;
const podOf = (o: K8sObject) => (o['spec'] as { template: { spec: PodSpec } }).template.spec;

/**
 * The pod's volumes as local directories (shared by its containers); Secret and ConfigMap items written
 * from the test's data, 0440 as the kubelet leaves them under the pod's fsGroup.
 */
function materialise(pod: PodSpec, container: Container, dir: string, secrets: Store) {
  const mounts: [string, string][] = [];
  const write = (local: string, from: string, items: Items['items']) => {
    for (const item of items) {
      const value = secrets[from]?.[item.key];
      if (value === undefined) throw new Error(`${from} has no key ${item.key}`);
      mkdirSync(dirname(join(local, item.path)), { recursive: true });
      writeFileSync(join(local, item.path), value, { mode: 0o440 });
    }
  };
  for (const mount of container.volumeMounts) {
    const volume = pod.volumes.find((v) => v.name === mount.name);
    if (!volume) throw new Error(`${container.name} mounts ${mount.name}, which the pod does not have`);
    const local = join(dir, mount.name);
    mkdirSync(local, { recursive: true });
    if (volume.secret) write(local, volume.secret.secretName, volume.secret.items);
    for (const source of volume.projected?.sources ?? []) {
      const from = source.secret ?? source.configMap!;
      write(local, from.name, from.items);
    }
    mounts.push([mount.mountPath, local]);
  }
  // Longest mount path first, so /var/run/secrets/easgate wins over a shorter prefix.
  return mounts.sort((a, b) => b[0].length - a[0].length);
}

/** Exactly the rendered environment: literal values, Secret references resolved, mount paths made local. */
function localPath(value: string, mounts: [string, string][]): string {
  const mount = mounts.find(([path]) => value.startsWith(`${path}/`) || value === path);
  return mount ? mount[1] + value.slice(mount[0].length) : value;
}

function environmentOf(container: Container, mounts: [string, string][], secrets: Store) {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    const value = ref ? secrets[ref.name]?.[ref.key] : e.value;
    if (value === undefined) throw new Error(`${e.name}: no value (Secret ${ref?.name}/${ref?.key}?)`);
    env[e.name] = localPath(value, mounts);
  }
  return env;
}

/** The mount (path and volume) a file path of `container` lies in. */
function mountOf(container: Container, file: string) {
  return container.volumeMounts
    .filter((m) => file.startsWith(`${m.mountPath}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}

function probeUrl(container: Container, probe: Probe | undefined): string {
  if (!probe?.httpGet) throw new Error(`${container.name}: no httpGet probe`);
  const { path, port, scheme } = probe.httpGet;
  const number =
    typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;
  if (number === undefined) throw new Error(`${container.name}: probe port ${port} is not a container port`);
  return `${(scheme ?? 'HTTP').toLowerCase()}://127.0.0.1:${number}${path}`;
}

// The chart and the code agree: each rendered Deployment's command runs as a local process with exactly
// the rendered environment on the real Kafka broker and PostgreSQL, its probes answer at the rendered
// ports and paths, and what it subscribes to on the broker is what the catalogue (and so the chart's
// KafkaUser ACLs) says it consumes. It runs the chart as deploy/README.md recommends, with HTTPS between
// the components (the Secret of `easgate tls init`): every probe and call below is https, trusting that CA.
describe('the Helm chart and the code', () => {
  let scratch: string;
  let database: TestDatabase;
  let deployments: K8sObject[];
  let migrations: K8sObject;
  let everything: K8sObject[];
  let secrets: Store;
  let publisherToken: string;
  let caPem: string;
  /** What the test's own calls trust: the CA of `tls init`, as the components do. */
  const trustingCa = () => ({
    dispatcher: peerDispatcher(caPem) as unknown as RequestInit['dispatcher'],
  });
  const processes: StartedProcess[] = [];
  const base = 20_100 + 10 * Math.floor(Math.random() * 80);

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'easgate-agreement-'));
    for (const app of [...SERVICES, GATEWAY, 'cli']) buildApp(app);
    database = await createTestDatabase('easgate_chart');
    // The service keys and the callers file as deploy/README.md makes them: with the compiled CLI.
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, ['dist/apps/cli/main.js', ...args], { cwd: ROOT, encoding: 'utf8' });
    const ids = join(scratch, 'identities');
    cli('identity', 'init-services', '--dir', ids);
    // HTTPS between the components as deploy/README.md makes it: `easgate tls init`, then its Secret.
    const tlsDir = join(scratch, 'tls');
    cli('tls', 'init', '--dir', tlsDir);
    caPem = readFileSync(join(tlsDir, 'ca.crt'), 'utf8');
    const callers = join(scratch, 'callers.json');
    publisherToken = cli(
      'identity',
      'add-caller',
      '--file',
      callers,
      '--id',
      'mdm',
      '--kind',
      'publisher',
      '--role',
      'mdm-publisher',
      '--all-tenants',
    ).trim();
    secrets = {
      'agreement-service-keys': Object.fromEntries(
        [...SERVICES, GATEWAY].map((s) => [`${s}.key`, readFileSync(join(ids, `${s}.key`), 'utf8')]),
      ),
      'agreement-trusted-services': {
        'trusted-services.json': readFileSync(join(ids, 'trusted-services.json'), 'utf8'),
      },
      'agreement-callers': { 'callers.json': readFileSync(callers, 'utf8') },
      'agreement-db': { url: database.url },
      'agreement-api': { token: randomBytes(24).toString('base64url') },
      'agreement-vault': {
        'master-key': randomBytes(32).toString('base64'),
        'previous-keys': randomBytes(32).toString('base64'),
      },
      'agreement-alerting': { 'secrets-key': randomBytes(32).toString('base64') },
      'agreement-tls': Object.fromEntries(
        readdirSync(tlsDir)
          .filter((f) => f !== 'ca.key')
          .map((f) => [f, readFileSync(join(tlsDir, f), 'utf8')]),
      ),
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
        'identity:',
        '  serviceKeysSecret: { name: agreement-service-keys }',
        '  trustedServicesConfigMap: { name: agreement-trusted-services, key: trusted-services.json }',
        '  callersSecret: { name: agreement-callers, key: callers.json }',
        'migrations: { mode: job, hooks: false }',
        'tls: { secret: { name: agreement-tls } }',
        'services:',
        `  cert-vault: { port: ${base + 1} }`,
        // The broker is shared: this executor serves a tenant of its own and leaves every other one alone.
        `  exchange-executor: { port: ${base + 2}, env: { EXECUTOR_TENANTS: agreement-${randomBytes(4).toString('hex')}.example } }`,
        `  policy-translator: { port: ${base + 3} }`,
        `  alerting: { port: ${base + 4} }`,
        `consoleGateway: { port: ${base + 5} }`,
        '',
      ].join('\n'),
    );
    const objects = await renderObjects(CHART, { valuesFiles: [values] });
    deployments = objects.filter((o) => o.kind === 'Deployment');
    migrations = objects.find((o) => o.kind === 'Job')!;
    // Every optional setting on, for the names check: HTTPS, a Kafka client certificate, the allow-lists.
    const all = join(scratch, 'all-values.yaml');
    writeFileSync(
      all,
      [
        'kafka:',
        '  tls: { enabled: true, caSecret: { name: ca, key: ca.crt }, clientCertSecret: { name: kafka-client, certKey: user.crt, keyKey: user.key } }',
        '  sasl: { enabled: true, users: { cert-vault: { username: v, passwordSecret: { name: v, key: p } }, exchange-executor: { username: e, passwordSecret: { name: e, key: p } }, policy-translator: { username: t, passwordSecret: { name: t, key: p } }, alerting: { username: a, passwordSecret: { name: a, key: p } } } }',
        '  topicPartitions: 6',
        '  replicationFactor: 3',
        'identity: { callersSecret: { name: callers, key: callers.json } }',
        'tls: { secret: { name: easgate-tls } }',
        'executor:',
        '  commandKinds: [wipe-device, remove-device]',
        '  tenantCommandKinds: { contoso.onmicrosoft.com: [full-wipe] }',
        'vault: { previousKeysSecret: { name: prev, key: k }, allowedEndpointHosts: [login.example.test] }',
        'alerting: { smtpUrlSecret: { name: smtp, key: url }, allowedDestinationHosts: [alertmanager.monitoring:9093] }',
        'consoleGateway:',
        '  usersSecret: { name: console-users, key: console-users.json }',
        '  oidc: { issuer: https://idp.example.com, clientId: easgate, redirectUrl: https://easgate.example.com/auth/oidc/callback, clientSecret: { name: oidc, key: secret } }',
        '',
      ].join('\n'),
    );
    everything = (await renderObjects(CHART, { valuesFiles: [all] })).filter((o) => o.kind === 'Deployment');
  }, 180_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await database?.drop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** The pod's init containers to completion, then its container, as local processes. */
  async function run(workload: K8sObject): Promise<{ process: StartedProcess; container: Container }> {
    const pod = podOf(workload);
    const dir = join(scratch, workload.metadata.name);
    for (const init of pod.initContainers ?? []) {
      const mounts = materialise(pod, init, dir, secrets);
      const done = startProcess({
        command: init.command.map((arg) => localPath(arg, mounts)),
        cwd: ROOT,
        env: environmentOf(init, mounts, secrets),
      });
      const code = await done.exited();
      if (code !== 0) throw new Error(`init container ${init.name} exited ${code}: ${done.output()}`);
    }
    const container = pod.containers[0];
    const mounts = materialise(pod, container, dir, secrets);
    const started = startProcess({
      command: container.command,
      cwd: ROOT,
      env: environmentOf(container, mounts, secrets),
      caPem,
    });
    processes.push(started);
    return { process: started, container };
  }

  it('renders one Deployment per service and the console gateway, each running its compiled app', () => {
    expect(deployments.map((d) => podOf(d).containers[0].command).sort()).toEqual(
      [...SERVICES, GATEWAY].map((s) => ['node', `dist/apps/${s}/main.js`]).sort(),
    );
  });

  it('sets only environment names the compiled code reads', () => {
    for (const deployment of [...deployments, ...everything]) {
      const container = podOf(deployment).containers[0];
      const unread = unreadEnvNames(
        compiledSource(container.name),
        container.env.map((e) => e.name),
      );
      expect({ service: container.name, unread }).toEqual({ service: container.name, unread: [] });
    }
  });

  it('runs the migrations Job to completion with its rendered command and environment', async () => {
    const { process: job } = await run(migrations);
    const code = await job.exited();
    expect({ code, output: code === 0 ? '' : job.output() }).toEqual({ code: 0, output: '' });
    expect(job.output()).toContain('alerting: migrated');
  }, 60_000);

  it('starts every service and the console gateway to ready at its rendered probes, and each service subscribes to what the catalogue says', async () => {
    const started = await Promise.all(deployments.map(run));
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

  it("gives every service its own key through the init container, and the peers' public keys", () => {
    for (const deployment of deployments.filter((d) => podOf(d).containers[0].name !== GATEWAY)) {
      const pod = podOf(deployment);
      const container = pod.containers[0];
      const env = (name: string) => container.env.find((e) => e.name === name)?.value;
      const keyFile = env('EASGATE_SERVICE_KEY_FILE')!;
      const trustFile = env('EASGATE_TRUSTED_SERVICES_FILE')!;
      // The key: an in-memory volume the init container fills from this service's item of the keys Secret.
      const keyMount = mountOf(container, keyFile);
      const keyVolume = pod.volumes.find((v) => v.name === keyMount?.name);
      const copier = (pod.initContainers ?? []).find((c) =>
        c.volumeMounts.some((m) => m.name === keyMount?.name),
      );
      const sourceMount = copier?.volumeMounts.find((m) => m.name !== keyMount?.name);
      const sourceVolume = pod.volumes.find((v) => v.name === sourceMount?.name);
      const trustMount = mountOf(container, trustFile);
      const trustSources = pod.volumes.find((v) => v.name === trustMount?.name)?.projected?.sources ?? [];
      expect({
        service: container.name,
        keyVolume: keyVolume?.emptyDir,
        keySecret: sourceVolume?.secret,
        trust: trustSources.find((s) => s.configMap)?.configMap,
      }).toEqual({
        service: container.name,
        keyVolume: { medium: 'Memory', sizeLimit: '1Mi' },
        keySecret: {
          secretName: 'agreement-service-keys',
          defaultMode: 0o400,
          items: [{ key: `${container.name}.key`, path: 'service.key' }],
        },
        trust: {
          name: 'agreement-trusted-services',
          items: [{ key: 'trusted-services.json', path: trustFile.slice(trustMount.mountPath.length + 1) }],
        },
      });
    }
  });

  it("lets the vault accept the executor's mounted key, and refuse a key it does not trust", async () => {
    const vault = deployments.find((d) => podOf(d).containers[0].name === 'cert-vault')!;
    const executor = deployments.find((d) => podOf(d).containers[0].name === 'exchange-executor')!;
    const vaultContainer = podOf(vault).containers[0];
    const port = vaultContainer.ports![0].containerPort;
    // What the executor's init container left for it: its own key, readable by its owner only.
    const keyFile = podOf(executor).containers[0].env.find(
      (e) => e.name === 'EASGATE_SERVICE_KEY_FILE',
    )!.value!;
    const local = join(
      scratch,
      executor.metadata.name,
      mountOf(podOf(executor).containers[0], keyFile).name,
      'service.key',
    );
    expect((statSync(local).mode & 0o777).toString(8)).toBe('600');
    const sign = (token: string) =>
      fetch(
        `https://127.0.0.1:${port}/internal/v1/tenant-connections/${randomBytes(8).toString('hex')}/client-assertion`,
        {
          ...trustingCa(),
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ audience: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/token' }),
        },
      );
    const executorKey = serviceKeyFromPem('exchange-executor', readFileSync(local, 'utf8'));
    const trusted = await sign(issueServiceToken(executorKey, 'cert-vault'));
    const stranger = await sign(issueServiceToken(generateServiceKey('exchange-executor'), 'cert-vault'));
    expect({ trusted: trusted.status, stranger: stranger.status }).toEqual({ trusted: 404, stranger: 401 });
  }, 30_000);

  it("gives the console gateway its own key through the init container, 0600, and the services' URLs", () => {
    const gateway = deployments.find((d) => podOf(d).containers[0].name === GATEWAY)!;
    const container = podOf(gateway).containers[0];
    const keyFile = container.env.find((e) => e.name === 'EASGATE_SERVICE_KEY_FILE')!.value!;
    const local = join(scratch, gateway.metadata.name, mountOf(container, keyFile).name, 'service.key');
    expect((statSync(local).mode & 0o777).toString(8)).toBe('600');
    expect(readFileSync(local, 'utf8')).toBe(secrets['agreement-service-keys'][`${GATEWAY}.key`]);
    expect(container.env.filter((e) => e.name.endsWith('_URL')).map((e) => [e.name, e.value])).toEqual([
      ['ALERTING_URL', `https://easgate-alerting:${base + 4}`],
      ['CERT_VAULT_URL', `https://easgate-cert-vault:${base + 1}`],
      ['EXCHANGE_EXECUTOR_URL', `https://easgate-exchange-executor:${base + 2}`],
      ['POLICY_TRANSLATOR_URL', `https://easgate-policy-translator:${base + 3}`],
    ]);
  });

  it('admits a caller of the mounted callers file', async () => {
    const translator = deployments.find((d) => podOf(d).containers[0].name === 'policy-translator')!;
    const port = podOf(translator).containers[0].ports![0].containerPort;
    const call = (token: string) =>
      fetch(`https://127.0.0.1:${port}/v1/mdm/events`, {
        ...trustingCa(),
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
    const known = await call(publisherToken);
    const unknown = await call(randomBytes(24).toString('base64url'));
    expect({ known: known.status !== 401, unknown: unknown.status }).toEqual({ known: true, unknown: 401 });
  }, 30_000);
});
