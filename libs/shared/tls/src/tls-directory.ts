import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, IdentityError, readSecretFile, writeSecretFile } from '@easgate/identity';
import {
  certificateProblem,
  createCertificateAuthority,
  issueServerCertificate,
  type KeyedCertificate,
  notAfterOf,
} from './certificates';
import { TlsError, TlsErrorCode } from './tls-error';

/** What became of a file pair: made for the first time, kept as it was, or made again. */
export type MaterialAction = 'created' | 'kept' | 'renewed';

export interface CaFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

const CA_DAYS = 3650;
/** A CA this close to its end is replaced (and every certificate issued again under the new one). */
const CA_RENEW_WITHIN_DAYS = 90;

/** The private CA in `dir` (0700; its key 0600): kept while valid, created or renewed otherwise. */
export function ensureCertificateAuthority(
  dir: string,
  files: CaFiles,
  options: { commonName: string; now?: Date },
): { ca: KeyedCertificate; action: MaterialAction } {
  ensurePrivateDir(dir);
  const existing = readPair(join(dir, files.certFile), join(dir, files.keyFile));
  if (existing && !certificateProblem(existing, { renewWithinDays: CA_RENEW_WITHIN_DAYS, ...now(options) }))
    return { ca: existing, action: 'kept' };
  const ca = createCertificateAuthority(options.commonName, CA_DAYS, options.now);
  writeSecretFile(join(dir, files.keyFile), ca.keyPem);
  writeFileSync(join(dir, files.certFile), ca.certPem);
  return { ca, action: existing ? 'renewed' : 'created' };
}

export interface ServerCertificateRequest {
  readonly certFile: string;
  readonly keyFile: string;
  readonly commonName: string;
  readonly hosts: readonly string[];
  readonly days: number;
  /** Issued again when fewer days than this remain. */
  readonly renewWithinDays: number;
  readonly now?: Date;
}

/**
 * A server certificate in `dir` signed by `ca` (its key 0600): kept while it is the CA's, matches its
 * key, names every host and is not near its end; issued (again) otherwise.
 */
export function ensureServerCertificate(
  dir: string,
  ca: KeyedCertificate,
  request: ServerCertificateRequest,
): { certificate: KeyedCertificate; action: MaterialAction; notAfter: Date } {
  ensurePrivateDir(dir);
  const certPath = join(dir, request.certFile);
  const keyPath = join(dir, request.keyFile);
  const existing = readPair(certPath, keyPath);
  const had = existsSync(certPath) || existsSync(keyPath);
  if (
    existing &&
    !certificateProblem(existing, {
      caPem: ca.certPem,
      hosts: request.hosts,
      renewWithinDays: request.renewWithinDays,
      ...now(request),
    })
  )
    return { certificate: existing, action: 'kept', notAfter: notAfterOf(existing.certPem) };
  const certificate = issueServerCertificate(
    ca,
    request.commonName,
    request.hosts,
    request.days,
    request.now,
  );
  writeSecretFile(keyPath, certificate.keyPem);
  writeFileSync(certPath, certificate.certPem);
  return {
    certificate,
    action: had ? 'renewed' : 'created',
    notAfter: notAfterOf(certificate.certPem),
  };
}

/** Both files, or undefined when either is missing or the certificate does not parse (then made again). */
function readPair(certPath: string, keyPath: string): KeyedCertificate | undefined {
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  let keyPem: string;
  try {
    // A key others may read is refused, not silently replaced: someone copied or chmodded it.
    keyPem = readSecretFile(keyPath);
  } catch (err) {
    if (err instanceof IdentityError) throw new TlsError(TlsErrorCode.MaterialInvalid, err.message);
    throw err;
  }
  const certPem = readFileSync(certPath, 'utf8');
  try {
    notAfterOf(certPem);
  } catch {
    return undefined;
  }
  return { certPem, keyPem };
}

function now(options: { now?: Date }): { now?: Date } {
  return options.now ? { now: options.now } : {};
}
