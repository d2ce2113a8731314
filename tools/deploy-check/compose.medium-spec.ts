import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initServiceTls, TlsComponents } from '@easgate/tls';
import { buildApp } from '../build/build';
import { appOf, type ComposeService, loadComposeFile } from './compose-file';
import { compiledSource, unreadEnvNames } from './env-names';

// No Docker engine here: docker-compose.yml is checked as a file. HTTPS between the components is its
// default: every URL between them is https, every component serves its own certificate from the tls-init
// one-shot and trusts that CA, and every environment name is one the compiled app reads.
describe('docker-compose.yml', () => {
  const compose = loadComposeFile();
  const components = TlsComponents.map((name) => [name, compose.services[name]] as const);
  const envOf = (service: ComposeService) => service.environment ?? {};

  it('makes the TLS material once, with tls init, before any component starts', () => {
    const tlsInit = compose.services['tls-init'];

    expect(tlsInit.command).toEqual(['node', 'dist/apps/cli/main.js', 'tls', 'init', '--dir', '/data']);
    expect(tlsInit.volumes).toEqual(['tls:/data']);
    expect(compose.volumes).toHaveProperty('tls');
    for (const [name, service] of components)
      expect({ name, dependsOn: service.depends_on?.['tls-init'] }).toEqual({
        name,
        dependsOn: { condition: 'service_completed_successfully' },
      });
  });

  it('gives every component its own certificate and the CA, read-only, as files tls init writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-tls-'));
    try {
      const made = initServiceTls({ dir });
      const local = (path: string) => join(dir, path.replace(/^\/tls\//, ''));
      for (const [name, service] of components) {
        const env = envOf(service);
        expect({ name, mounts: service.volumes?.includes('tls:/tls:ro') }).toEqual({ name, mounts: true });
        expect({
          name,
          ca: env['EASGATE_TLS_CA_FILE'],
          cert: env['EASGATE_TLS_CERT_FILE'],
          key: env['EASGATE_TLS_KEY_FILE'],
        }).toEqual({ name, ca: '/tls/ca.crt', cert: `/tls/${name}.crt`, key: `/tls/${name}.key` });
        for (const file of ['EASGATE_TLS_CA_FILE', 'EASGATE_TLS_CERT_FILE', 'EASGATE_TLS_KEY_FILE'])
          expect({ name, file, made: existsSync(local(env[file])) }).toEqual({ name, file, made: true });
        // The certificate names the compose service, which is how the others call it.
        expect(made.certificates.find((c) => c.component === name)?.hosts).toContain(name);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('calls every component over https, and checks health over https with the CA', () => {
    const names = new Set<string>(TlsComponents);
    const urls = Object.entries(compose.services).flatMap(([service, s]) =>
      Object.entries(envOf(s))
        .filter(([, value]) => /^[a-z]+:\/\/[^:]/i.test(String(value)) && URL.canParse(String(value)))
        .map(([key, value]) => ({ where: `${service} ${key}`, url: new URL(String(value)) }))
        .filter(({ url }) => names.has(url.hostname)),
    );

    // The gateway's four service URLs and the executor's vault URL.
    expect(urls.map((u) => u.where).sort()).toEqual([
      'console-gateway ALERTING_URL',
      'console-gateway CERT_VAULT_URL',
      'console-gateway EXCHANGE_EXECUTOR_URL',
      'console-gateway POLICY_TRANSLATOR_URL',
      'exchange-executor EXECUTOR_VAULT_URL',
    ]);
    for (const { where, url } of urls)
      expect({ where, scheme: url.protocol }).toEqual({ where, scheme: 'https:' });
    for (const [name, service] of components) {
      const probe = service.healthcheck?.test.join(' ') ?? '';
      expect({
        name,
        https: probe.includes("'https://127.0.0.1:'"),
        ca: probe.includes('EASGATE_TLS_CA_FILE'),
      }).toEqual({ name, https: true, ca: true });
    }
  });

  it('sets only environment names the compiled apps read', () => {
    const byApp = new Map<string, string[]>();
    for (const service of Object.values(compose.services)) {
      const app = appOf(service);
      if (app) byApp.set(app, [...(byApp.get(app) ?? []), ...Object.keys(envOf(service))]);
    }
    expect([...byApp.keys()].sort()).toEqual([
      'alerting',
      'cert-vault',
      'cli',
      'console-gateway',
      'exchange-executor',
      'exo-sandbox',
      'policy-translator',
    ]);
    for (const [app, names] of byApp) {
      buildApp(app);
      expect({ app, unread: unreadEnvNames(compiledSource(app), names) }).toEqual({ app, unread: [] });
    }
  }, 120_000);
});
