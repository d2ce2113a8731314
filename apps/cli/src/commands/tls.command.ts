import { isIP } from 'node:net';
import { initServiceTls, type ServiceTlsResult, ServiceTlsFiles, TlsError } from '@easgate/tls';
import type { Command } from 'commander';
import { integerFlag, UsageError } from './usage';

/** A DNS name (letters, digits, hyphens, dots), `{service}` standing for the component anywhere in it. */
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** `--hosts a,b,…`: each a DNS name or an IP address, else a usage error naming it. */
export function hostsFlag(text: string): string[] {
  const hosts = text
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  const bad = hosts.find((h) => !DNS_NAME.test(h.replaceAll('{service}', 'x')) && isIP(h) === 0);
  if (hosts.length === 0 || bad !== undefined)
    throw new UsageError(`--hosts: '${bad ?? text}' is not a DNS name or an IP address`);
  return hosts;
}

const MAX_DAYS = 3650;

/** What `tls init` prints: each file and what became of it, then the settings and the chart's Secret. */
export function describeTlsInit(result: ServiceTlsResult): string[] {
  const lines = [
    `CA                 ${result.caAction.padEnd(8)} ${result.caFile}`,
    `                   (its key ${result.caKeyFile} signs renewals: keep it here, never in a pod or image)`,
  ];
  for (const c of result.certificates)
    lines.push(
      `${c.component.padEnd(18)} ${c.action.padEnd(8)} ${c.certFile} (key ${c.keyFile}), until ${c.notAfter.toISOString().slice(0, 10)}, for ${c.hosts.join(', ')}`,
    );
  lines.push(
    '',
    'Set on each service and the console gateway:',
    `  EASGATE_TLS_CERT_FILE=<dir>/<component>.crt  EASGATE_TLS_KEY_FILE=<dir>/<component>.key  (serve HTTPS)`,
    `  EASGATE_TLS_CA_FILE=${result.caFile}  (trust the services' certificates)`,
    '  and https:// in every <SERVICE>_URL / EXECUTOR_VAULT_URL.',
    '',
    "Kubernetes (the chart's tls.secret.name: easgate-tls):",
    `  kubectl create secret generic easgate-tls --from-file=${ServiceTlsFiles.caCert}=${result.caFile} \\`,
    ...result.certificates.map(
      (c, i) =>
        `    --from-file=${ServiceTlsFiles.cert(c.component)}=${c.certFile} --from-file=${ServiceTlsFiles.key(c.component)}=${c.keyFile}${i < result.certificates.length - 1 ? ' \\' : ''}`,
    ),
  );
  return lines;
}

/**
 * `easgate tls init`: the private CA and the services' certificates for HTTPS between them (the chart's
 * tls.secret, docker-compose's tls-init one-shot). Keys are written, never printed.
 */
export function registerTlsCommands(program: Command): void {
  const tls = program
    .command('tls')
    .description('HTTPS between the services: a private CA and their certificates');

  tls
    .command('init')
    .description(
      'Make (or keep, or renew near their end) a private CA and one server certificate per service and the console gateway, under --dir (0700, keys 0600)',
    )
    .requiredOption('--dir <dir>', 'where to keep the CA and the certificates')
    .option(
      '--hosts <a,b,…>',
      "more names for every certificate, '{service}' for the component (e.g. 'easgate-{service}.easgate.svc'); each certificate always names <component>, easgate-<component>, localhost and 127.0.0.1",
    )
    .option('--days <n>', `validity of the server certificates in days (1–${MAX_DAYS})`, '397')
    .action((options: { dir: string; hosts?: string; days: string }) => {
      const days = integerFlag('days', options.days, 1);
      if (days > MAX_DAYS) throw new UsageError(`--days must be at most ${MAX_DAYS} (the CA's own validity)`);
      const hosts = options.hosts !== undefined ? hostsFlag(options.hosts) : [];
      try {
        for (const line of describeTlsInit(initServiceTls({ dir: options.dir, hosts, days })))
          console.log(line);
      } catch (err) {
        if (err instanceof TlsError) throw new UsageError(`${err.code}: ${err.message}`);
        throw err;
      }
    });
}
