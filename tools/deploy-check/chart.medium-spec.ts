import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceTopics, type ServiceName, topicSpecs } from '@easgate/contracts';
import { helmLint, renderObjects, helmTemplate, type K8sObject } from '../helm/helm';
import { loadComposeFile } from './compose-file';
import { KubernetesSchemas } from './k8s-schemas';

const CHART = join(__dirname, '../../deploy/helm/easgate');
const ci = (name: string) => join(CHART, 'ci', `${name}-values.yaml`);
const SERVICES = Object.keys(ServiceTopics) as ServiceName[];

interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    runAsNonRoot?: boolean;
    capabilities?: { drop?: string[] };
  };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  startupProbe?: unknown;
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
  initContainers?: Container[];
  containers: Container[];
}
const podOf = (o: K8sObject) => (o['spec'] as { template: { spec: PodSpec } }).template.spec;
const workloads = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');
const named = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

interface Acl {
  resource: { type: string; name: string; patternType: string };
  operations: string[];
}

// The chart rendered by real Helm (helm-java) with each values file a platform team would start from.
describe('deploy/helm/easgate', () => {
  let scratch: string;
  const rendered: Record<string, K8sObject[]> = {};
  const schemas = new KubernetesSchemas();

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'easgate-chart-'));
    const plainJob = join(scratch, 'migrations-without-hooks.yaml');
    writeFileSync(plainJob, 'migrations:\n  hooks: false\n');
    const tls = join(scratch, 'tls.yaml');
    writeFileSync(tls, 'tls:\n  secret: { name: easgate-tls }\n');
    const sharedTls = join(scratch, 'shared-tls.yaml');
    writeFileSync(sharedTls, 'tls:\n  secret: { name: easgate-tls, layout: shared }\n');
    const cases: Record<string, string[]> = {
      default: [],
      production: [ci('production')],
      // helm-java's template leaves hooks out; without hooks the migrations Job is an ordinary resource.
      'production, migrations Job without hooks': [ci('production'), plainJob],
      minimal: [ci('minimal')],
      sandbox: [ci('sandbox')],
      // HTTPS between the components with `easgate tls init`'s Secret, and with one shared certificate.
      tls: [tls],
      'tls, one shared certificate': [sharedTls],
    };
    for (const [name, valuesFiles] of Object.entries(cases)) {
      rendered[name] = await renderObjects(CHART, { valuesFiles });
    }
  }, 180_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const cases = () => Object.keys(rendered);

  it('passes helm lint --strict', async () => {
    const messages = await helmLint(CHART);
    expect(messages.filter((m) => !m.startsWith('[INFO]'))).toEqual([]);
  }, 60_000);

  it('renders every values file into objects valid against the Kubernetes and CRD schemas', () => {
    for (const name of cases()) {
      expect(rendered[name].length).toBeGreaterThan(0);
      const errors = rendered[name].flatMap((o) =>
        schemas.errorsOf(o).map((e) => `${name}: ${o.kind}/${o.metadata.name}: ${e}`),
      );
      expect(errors).toEqual([]);
    }
  });

  it('hardens every workload: non-root, read-only root, no privileges, resources, pinned image, probes', () => {
    for (const name of cases()) {
      for (const workload of workloads(rendered[name])) {
        const where = `${name}: ${workload.kind}/${workload.metadata.name}`;
        const pod = podOf(workload);
        expect({ where, runAsNonRoot: pod.securityContext?.runAsNonRoot }).toEqual({
          where,
          runAsNonRoot: true,
        });
        expect({ where, seccomp: pod.securityContext?.seccompProfile?.type }).toEqual({
          where,
          seccomp: 'RuntimeDefault',
        });
        expect({ where, token: pod.automountServiceAccountToken }).toEqual({ where, token: false });
        expect(pod.serviceAccountName).toMatch(/^easgate-/);
        for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
          expect({ where, securityContext: c.securityContext }).toMatchObject({
            where,
            securityContext: {
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              runAsNonRoot: true,
              capabilities: { drop: ['ALL'] },
            },
          });
          for (const kind of ['requests', 'limits'] as const) {
            expect({ where, kind, cpu: c.resources?.[kind]?.['cpu'] !== undefined }).toEqual({
              where,
              kind,
              cpu: true,
            });
            expect({ where, kind, memory: c.resources?.[kind]?.['memory'] !== undefined }).toEqual({
              where,
              kind,
              memory: true,
            });
          }
          expect(c.image).toMatch(/^[^:@]+(:[^:@]+|@sha256:[a-f0-9]{64})$/);
          expect(c.image).not.toMatch(/:latest$/);
          if (workload.kind === 'Deployment' && pod.containers.includes(c)) {
            expect({
              where,
              probes: [c.startupProbe, c.livenessProbe, c.readinessProbe].every(Boolean),
            }).toEqual({
              where,
              probes: true,
            });
          }
        }
      }
    }
  });

  it('renders what each values file asks for', () => {
    const kinds = (name: string) =>
      rendered[name].reduce<Record<string, number>>(
        (acc, o) => ({ ...acc, [o.kind]: (acc[o.kind] ?? 0) + 1 }),
        {},
      );
    // The four services and the console gateway (one replica: no PodDisruptionBudget).
    expect(kinds('default')).toEqual({
      Deployment: 5,
      Service: 5,
      ServiceAccount: 5,
      PodDisruptionBudget: 4,
      NetworkPolicy: 5,
    });
    expect(kinds('minimal')).toEqual({ Deployment: 5, Service: 5, ServiceAccount: 5 });
    expect(kinds('sandbox')).toMatchObject({ Deployment: 6, Service: 6, NetworkPolicy: 6 });
    expect(kinds('production')).toMatchObject({
      KafkaTopic: topicSpecs().length,
      KafkaUser: 4,
      ScaledObject: 2,
      TriggerAuthentication: 2,
      HorizontalPodAutoscaler: 1,
      ServiceMonitor: 1,
      PrometheusRule: 1,
      ConfigMap: 1,
      Ingress: 1,
    });
    expect(kinds('production, migrations Job without hooks')).toMatchObject({ Job: 1 });
  });

  it('creates a KafkaTopic for each catalogue topic, with its partitions, retention and clean-up policy', () => {
    const topics = named(rendered['production'], 'KafkaTopic').map((t) => {
      const spec = t['spec'] as { topicName: string; partitions: number; config: Record<string, unknown> };
      return {
        name: spec.topicName,
        partitions: spec.partitions,
        retentionMs: spec.config['retention.ms'],
        cleanupPolicy: spec.config['cleanup.policy'],
      };
    });
    expect(topics).toEqual(
      topicSpecs().map((t) => ({
        name: t.name,
        partitions: t.partitions,
        retentionMs: t.retentionMs,
        cleanupPolicy: t.cleanupPolicy,
      })),
    );
  });

  it('grants each service exactly the topics it consumes and produces, and its own consumer groups', () => {
    for (const service of SERVICES) {
      const user = named(rendered['production'], 'KafkaUser').find(
        (u) => u.metadata.name === `easgate-${service}`,
      );
      const acls = (user?.['spec'] as { authorization: { acls: Acl[] } }).authorization.acls;
      const topicsWith = (op: string) =>
        acls
          .filter((a) => a.resource.type === 'topic' && a.operations.includes(op))
          .map((a) => a.resource.name)
          .sort();
      expect({ service, reads: topicsWith('Read') }).toEqual({
        service,
        reads: [...ServiceTopics[service].consumes].sort(),
      });
      expect({ service, writes: topicsWith('Write') }).toEqual({
        service,
        writes: [...ServiceTopics[service].produces].sort(),
      });
      const groups = acls.filter((a) => a.resource.type === 'group');
      expect(groups).toEqual(
        ServiceTopics[service].consumes.length === 0
          ? []
          : [
              {
                resource: { type: 'group', name: `easgate-${service}`, patternType: 'prefix' },
                operations: ['Read', 'Describe'],
              },
            ],
      );
    }
  });

  // The console gateway calls the vault's admin API as the signed-in user; it never forwards /internal/…
  // and holds no key the signing route accepts (the vault authorizes each call itself).
  it('lets only the executor and the console gateway reach the vault, and the vault and the executor reach Microsoft', () => {
    const policies = named(rendered['default'], 'NetworkPolicy');
    const vault = policies.find((p) => p.metadata.name === 'easgate-cert-vault')!;
    const ingress = (
      vault['spec'] as { ingress: { from: { podSelector?: { matchLabels: Record<string, string> } }[] }[] }
    ).ingress;
    expect(
      ingress.flatMap((rule) =>
        rule.from.map((peer) => peer.podSelector?.matchLabels['app.kubernetes.io/component']),
      ),
    ).toEqual(['exchange-executor', 'console-gateway']);
    const reachesInternet = (name: string) =>
      JSON.stringify(policies.find((p) => p.metadata.name === `easgate-${name}`)!['spec']).includes(
        '0.0.0.0/0',
      );
    expect(SERVICES.filter((s) => s !== 'alerting' && reachesInternet(s)).sort()).toEqual([
      'cert-vault',
      'exchange-executor',
    ]);
  });

  it('keeps secrets out of plain values: they come from Secret references only', () => {
    const secretNames =
      /^(DATABASE_URL|EASGATE_API_TOKEN|VAULT_MASTER_KEY|VAULT_PREVIOUS_MASTER_KEYS|ALERTING_SECRETS_KEY|ALERTING_SMTP_URL|KAFKA_SASL_PASSWORD)$/;
    for (const name of cases()) {
      for (const workload of workloads(rendered[name])) {
        for (const c of podOf(workload).containers) {
          const inClear = (c.env ?? []).filter((e) => secretNames.test(e.name) && e.value !== undefined);
          expect({ where: `${name}: ${workload.metadata.name}`, inClear }).toEqual({
            where: `${name}: ${workload.metadata.name}`,
            inClear: [],
          });
        }
      }
      expect(named(rendered[name], 'Secret')).toEqual([]);
    }
  });

  it('runs the same commands with the same environment names in docker-compose.yml', () => {
    const compose = loadComposeFile();
    // docker-compose speaks HTTPS between the components by default: the chart with tls.secret.
    const chartContainers = [
      ...workloads(rendered['tls']),
      ...workloads(rendered['sandbox']).filter((w) => w.metadata.name.endsWith('exo-sandbox')),
      ...named(rendered['production, migrations Job without hooks'], 'Job'),
    ].map((w) => podOf(w).containers[0]);
    expect(chartContainers.map((c) => c.name).sort()).toEqual(
      [...SERVICES, 'console-gateway', 'exo-sandbox', 'migrations'].sort(),
    );
    for (const container of chartContainers) {
      const service = container.name === 'migrations' ? 'migrations' : container.name;
      const composed = compose.services[service];
      expect({ service, command: composed?.command }).toEqual({ service, command: container.command });
      expect({ service, env: Object.keys(composed?.environment ?? {}).sort() }).toEqual({
        service,
        env: (container.env ?? []).map((e) => e.name).sort(),
      });
    }
  });

  it('runs one console gateway that reaches only the services (and the OIDC provider when configured)', () => {
    const gateway = (name: string) =>
      rendered[name].filter((o) => o.metadata.name === 'easgate-console-gateway');
    const deployment = gateway('default').find((o) => o.kind === 'Deployment')!;
    expect((deployment['spec'] as { replicas: number; strategy: unknown }).strategy).toEqual({
      type: 'Recreate',
    });
    expect((deployment['spec'] as { replicas: number }).replicas).toBe(1);
    const egressOf = (name: string) =>
      (
        gateway(name).find((o) => o.kind === 'NetworkPolicy')!['spec'] as {
          egress: { to: { podSelector?: { matchLabels: Record<string, string> }; ipBlock?: unknown }[] }[];
        }
      ).egress.flatMap((rule) =>
        rule.to.map((peer) =>
          peer.ipBlock ? 'internet' : peer.podSelector?.matchLabels['app.kubernetes.io/component'],
        ),
      );
    expect(egressOf('default').filter(Boolean).sort()).toEqual([...SERVICES].sort());
    expect(egressOf('production').filter(Boolean).sort()).toEqual([...SERVICES, 'internet'].sort());
    const ingress = gateway('production').find((o) => o.kind === 'Ingress')!;
    expect(JSON.stringify(ingress['spec'])).toContain('"name":"easgate-console-gateway"');
  });

  it('refuses Strimzi SCRAM users while the services would connect without SASL', async () => {
    const file = join(scratch, 'strimzi-without-sasl.yaml');
    writeFileSync(file, 'strimzi:\n  enabled: true\n');
    await expect(helmTemplate(CHART, { valuesFiles: [file] })).rejects.toThrow(/kafka\.sasl\.enabled=true/);
  }, 60_000);

  it('refuses to render without any API credential (admin token or callers file)', async () => {
    const file = join(scratch, 'no-api-credential.yaml');
    writeFileSync(file, 'api:\n  tokenSecret: { name: "", key: token }\n');
    await expect(helmTemplate(CHART, { valuesFiles: [file] })).rejects.toThrow(
      /identity\.callersSecret\.name/,
    );
  }, 60_000);

  describe('with tls.secret (HTTPS between the components)', () => {
    const tlsCases = ['tls', 'tls, one shared certificate', 'production'];
    const SECRETS_DIR = '/var/run/secrets/easgate';
    const components = (name: string) =>
      named(rendered[name], 'Deployment').filter((d) => !d.metadata.name.endsWith('exo-sandbox'));
    const componentOf = (d: K8sObject) => podOf(d).containers[0].name;
    const envOf = (d: K8sObject) =>
      Object.fromEntries((podOf(d).containers[0].env ?? []).map((e) => [e.name, e.value]));
    /** The projected Secret sources of a pod, by Secret name. */
    const secretItems = (d: K8sObject, secret: string) =>
      (
        podOf(d) as unknown as {
          volumes: { projected?: { sources: { secret?: { name: string; items: unknown[] } }[] } }[];
        }
      ).volumes
        .flatMap((v) => v.projected?.sources ?? [])
        .filter((source) => source.secret?.name === secret)
        .flatMap((source) => source.secret!.items);
    const serviceHosts = (name: string) =>
      new Set(named(rendered[name], 'Service').map((svc) => svc.metadata.name));

    it('serves HTTPS from every component, with probes over HTTPS', () => {
      for (const name of tlsCases) {
        expect(components(name).map(componentOf).sort()).toEqual([...SERVICES, 'console-gateway'].sort());
        for (const d of components(name)) {
          const where = `${name}: ${componentOf(d)}`;
          const env = envOf(d);
          expect({ where, cert: env['EASGATE_TLS_CERT_FILE'], key: env['EASGATE_TLS_KEY_FILE'] }).toEqual({
            where,
            cert: `${SECRETS_DIR}/tls/tls.crt`,
            key: `${SECRETS_DIR}/tls/tls.key`,
          });
          const c = podOf(d).containers[0] as Container & Record<string, { httpGet: { scheme: string } }>;
          expect({
            where,
            schemes: ['startupProbe', 'livenessProbe', 'readinessProbe'].map((p) => c[p].httpGet.scheme),
          }).toEqual({ where, schemes: ['HTTPS', 'HTTPS', 'HTTPS'] });
        }
      }
    });

    it('builds every URL between the components with https, and the ServiceMonitor scrapes over https', () => {
      for (const name of tlsCases) {
        const hosts = serviceHosts(name);
        const urls = components(name).flatMap((d) =>
          Object.entries(envOf(d))
            .filter(([, value]) => value !== undefined && /^[a-z]+:\/\//i.test(value))
            .map(([key, value]) => ({ where: `${name}: ${componentOf(d)} ${key}`, url: new URL(value!) }))
            .filter(({ url }) => hosts.has(url.hostname)),
        );
        // The gateway's four service URLs and the executor's vault URL.
        expect({ name, count: urls.length }).toEqual({ name, count: 5 });
        for (const { where, url } of urls)
          expect({ where, scheme: url.protocol }).toEqual({ where, scheme: 'https:' });
      }
      const monitor = named(rendered['production'], 'ServiceMonitor')[0]['spec'] as {
        endpoints: { scheme?: string; tlsConfig?: { serverName: string; ca: unknown } }[];
      };
      expect(monitor.endpoints.map((e) => [e.scheme, e.tlsConfig?.serverName]).sort()).toEqual(
        SERVICES.map((s) => ['https', `easgate-${s}`]).sort(),
      );
      for (const e of monitor.endpoints)
        expect(e.tlsConfig?.ca).toEqual({ secret: { name: 'easgate-tls', key: 'ca.crt' } });
    });

    it('mounts the CA in every component and points EASGATE_TLS_CA_FILE at it, with only its own key', () => {
      for (const name of tlsCases) {
        const layout = name === 'tls, one shared certificate' ? 'shared' : 'perComponent';
        for (const d of components(name)) {
          const component = componentOf(d);
          const where = `${name}: ${component}`;
          const own = layout === 'shared' ? 'tls' : component;
          expect({
            where,
            ca: envOf(d)['EASGATE_TLS_CA_FILE'],
            items: secretItems(d, 'easgate-tls'),
          }).toEqual({
            where,
            ca: `${SECRETS_DIR}/tls/ca.crt`,
            items: [
              { key: `${own}.crt`, path: 'tls/tls.crt' },
              { key: `${own}.key`, path: 'tls/tls.key' },
              { key: 'ca.crt', path: 'tls/ca.crt' },
            ],
          });
          const mounts = (podOf(d).containers[0] as unknown as { volumeMounts: { mountPath: string }[] })
            .volumeMounts;
          expect({ where, mounted: mounts.some((m) => m.mountPath === SECRETS_DIR) }).toEqual({
            where,
            mounted: true,
          });
        }
      }
    });

    it('puts no key or certificate in the environment, a ConfigMap or a rendered Secret', () => {
      const sensitiveName = /(KEY|SECRET|PASSWORD|TOKEN)$/;
      for (const name of tlsCases) {
        for (const d of workloads(rendered[name])) {
          for (const c of [...podOf(d).containers, ...(podOf(d).initContainers ?? [])]) {
            const where = `${name}: ${d.metadata.name}/${c.name}`;
            const leaks = (c.env ?? []).filter(
              (e) =>
                (sensitiveName.test(e.name) && e.value !== undefined) || /-----BEGIN/.test(e.value ?? ''),
            );
            expect({ where, leaks }).toEqual({ where, leaks: [] });
          }
        }
        for (const map of named(rendered[name], 'ConfigMap'))
          expect({ name, map: map.metadata.name, pem: JSON.stringify(map).includes('-----BEGIN') }).toEqual({
            name,
            map: map.metadata.name,
            pem: false,
          });
        expect(named(rendered[name], 'Secret')).toEqual([]);
      }
    });

    it('keeps plain HTTP URLs and probes when tls.secret is not set', () => {
      for (const d of components('default')) {
        const env = envOf(d);
        expect(Object.keys(env).filter((k) => k.startsWith('EASGATE_TLS_'))).toEqual([]);
        for (const value of Object.values(env).filter((v) => v?.includes('://easgate-')))
          expect(value).toMatch(/^http:\/\//);
      }
    });
  });

  describe('values.schema.json', () => {
    const wrong: Record<string, string> = {
      'the latest tag': 'image:\n  tag: latest\n',
      'a port that is not a number': 'services:\n  cert-vault:\n    port: http\n',
      'an unknown setting': 'replicaCount: 3\n',
      'a secret in plain env': 'services:\n  alerting:\n    env:\n      ALERTING_SECRETS_KEY: c2VjcmV0\n',
      'an unknown migrations mode': 'migrations:\n  mode: sometimes\n',
      'a writable root filesystem':
        'securityContext:\n  readOnlyRootFilesystem: false\n  allowPrivilegeEscalation: false\n',
      'KEDA on the vault (it consumes nothing)': 'services:\n  cert-vault:\n    keda: { enabled: true }\n',
      'an unknown command kind': 'executor:\n  commandKinds: [wipe-everything]\n',
      'an alert destination without a port': 'alerting:\n  allowedDestinationHosts: [alertmanager]\n',
      'no service keys Secret': 'identity:\n  serviceKeysSecret: { name: "" }\n',
      'two console gateway replicas (sessions are per instance)': 'consoleGateway:\n  replicas: 2\n',
      'an OIDC issuer over plain HTTP': 'consoleGateway:\n  oidc: { issuer: http://idp.example.com }\n',
      'an unknown TLS Secret layout': 'tls:\n  secret: { name: easgate-tls, layout: one-per-pod }\n',
    };
    it.each(Object.keys(wrong))(
      'rejects %s',
      async (name) => {
        const file = join(scratch, `${name.replace(/\W+/g, '-')}.yaml`);
        writeFileSync(file, wrong[name]);
        await expect(helmTemplate(CHART, { valuesFiles: [file] })).rejects.toThrow(/schema/i);
      },
      60_000,
    );
  });
});
