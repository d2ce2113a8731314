import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensureCertificateAuthority, ensureServerCertificate, type MaterialAction } from './tls-directory';

/** What serves HTTPS in a deployment: the four services and the console gateway (compose and chart names). */
export const TlsComponents = [
  'cert-vault',
  'exchange-executor',
  'policy-translator',
  'alerting',
  'console-gateway',
] as const;

/**
 * The names each component's certificate carries unless told otherwise: its docker-compose service name,
 * its Service in the chart installed as `easgate` (`easgate-<component>`), and the loopback names.
 * `{service}` stands for the component's name.
 */
export const DefaultTlsHosts = ['{service}', 'easgate-{service}', 'localhost', '127.0.0.1'] as const;

/** The file names of `easgate tls init`, as the chart's Secret keys them (`ca.crt`, `<component>.crt`…). */
export const ServiceTlsFiles = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  cert: (component: string) => `${component}.crt`,
  key: (component: string) => `${component}.key`,
} as const;

export interface ServiceTlsOptions {
  readonly dir: string;
  readonly components?: readonly string[];
  /** Extra names for every certificate (`{service}` is replaced by the component's name). */
  readonly hosts?: readonly string[];
  /** Validity of the server certificates (default 397 days, what browsers and most clients accept). */
  readonly days?: number;
  readonly now?: Date;
}

export interface ServiceTlsCertificate {
  readonly component: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly hosts: readonly string[];
  readonly action: MaterialAction;
  readonly notAfter: Date;
}

export interface ServiceTlsResult {
  readonly caFile: string;
  readonly caKeyFile: string;
  readonly caAction: MaterialAction;
  readonly certificates: readonly ServiceTlsCertificate[];
}

export const DEFAULT_SERVER_CERTIFICATE_DAYS = 397;

/**
 * A private CA and one server certificate per component in `dir` (0700; keys 0600). Idempotent: what is
 * valid is kept; a certificate within a third of its lifetime (30 days at most) of its end, missing a
 * name, or not issued by the current CA is issued again; a renewed CA re-issues every certificate.
 */
export function initServiceTls(options: ServiceTlsOptions): ServiceTlsResult {
  const days = options.days ?? DEFAULT_SERVER_CERTIFICATE_DAYS;
  const now = options.now ? { now: options.now } : {};
  const { ca, action: caAction } = ensureCertificateAuthority(
    options.dir,
    { certFile: ServiceTlsFiles.caCert, keyFile: ServiceTlsFiles.caKey },
    // A name of its own: two deployments' CAs are told apart (and a wrong one is reported as unknown).
    { commonName: `easgate services CA ${randomBytes(4).toString('hex')}`, ...now },
  );
  const patterns = [...DefaultTlsHosts, ...(options.hosts ?? [])];
  const certificates = (options.components ?? TlsComponents).map((component) => {
    const hosts = [...new Set(patterns.map((h) => h.replaceAll('{service}', component)))];
    const certFile = ServiceTlsFiles.cert(component);
    const keyFile = ServiceTlsFiles.key(component);
    const made = ensureServerCertificate(options.dir, ca, {
      certFile,
      keyFile,
      commonName: component,
      hosts,
      days,
      renewWithinDays: Math.min(30, days / 3),
      ...now,
    });
    return {
      component,
      certFile: join(options.dir, certFile),
      keyFile: join(options.dir, keyFile),
      hosts,
      action: made.action,
      notAfter: made.notAfter,
    };
  });
  return {
    caFile: join(options.dir, ServiceTlsFiles.caCert),
    caKeyFile: join(options.dir, ServiceTlsFiles.caKey),
    caAction,
    certificates,
  };
}
