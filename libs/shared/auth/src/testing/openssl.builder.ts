import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Test builder: makes keys, certificates and PKCS#12 files with the real `openssl` binary, so the reader
 * is tested against what admins actually produce, not only against files our own code wrote.
 * Passwords go through the environment (`env:EASGATE_TEST_PASSWORD`), never argv.
 */
export class OpenSslBuilder {
  readonly dir = mkdtempSync(join(tmpdir(), 'easgate-auth-'));
  private counter = 0;

  run(args: string[], password?: string): Buffer {
    return execFileSync('openssl', args, {
      cwd: this.dir,
      env: { ...process.env, EASGATE_TEST_PASSWORD: password ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** stdout and stderr together (`-info` reports on stderr); throws on a non-zero exit. */
  runText(args: string[], password?: string): string {
    const result = spawnSync('openssl', args, {
      cwd: this.dir,
      env: { ...process.env, EASGATE_TEST_PASSWORD: password ?? '' },
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
    return `${result.stdout}${result.stderr}`;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  file(prefix: string, extension: string): string {
    this.counter += 1;
    return this.path(`${prefix}-${this.counter}.${extension}`);
  }

  rsaKey(bits: number): string {
    const out = this.file(`rsa${bits}`, 'key');
    this.run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', out]);
    return out;
  }

  ecKey(): string {
    const out = this.file('ec', 'key');
    this.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out]);
    return out;
  }

  selfSigned(
    key: string,
    options: { subject?: string; days?: number; digest?: string; ext?: string[]; ca?: boolean } = {},
  ): string {
    const out = this.file('cert', 'pem');
    const ext = options.ca
      ? ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']
      : (options.ext ?? []);
    this.run([
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-subj',
      options.subject ?? '/CN=easgate-test',
      '-days',
      String(options.days ?? 365),
      `-${options.digest ?? 'sha256'}`,
      '-out',
      out,
      ...ext.flatMap((e) => ['-addext', e]),
    ]);
    return out;
  }

  /** A certificate for `key` issued by `issuerCert`/`issuerKey`. */
  issued(
    key: string,
    issuerCert: string,
    issuerKey: string,
    options: { subject: string; ca?: boolean },
  ): string {
    const csr = this.file('req', 'csr');
    this.run(['req', '-new', '-key', key, '-subj', options.subject, '-out', csr]);
    const extFile = this.file('ext', 'cnf');
    writeFileSync(
      extFile,
      options.ca
        ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n'
        : 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n',
    );
    const out = this.file('cert', 'pem');
    this.run([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      issuerCert,
      '-CAkey',
      issuerKey,
      '-set_serial',
      String(1000 + this.counter),
      '-days',
      '365',
      '-sha256',
      '-extfile',
      extFile,
      '-out',
      out,
    ]);
    return out;
  }

  /** `openssl pkcs12 -export`; extra = e.g. ['-legacy'] or ['-certpbe','AES-256-CBC','-macalg','sha256']. */
  pkcs12(options: {
    key?: string;
    cert: string;
    certfile?: string[];
    password: string;
    extra?: string[];
  }): Buffer {
    const out = this.file('bundle', 'pfx');
    let certfileArgs: string[] = [];
    if (options.certfile?.length) {
      const joined = this.file('chain', 'pem');
      writeFileSync(joined, options.certfile.map((f) => readFileSync(f, 'utf8')).join(''));
      certfileArgs = ['-certfile', joined];
    }
    this.run(
      [
        'pkcs12',
        '-export',
        '-in',
        options.cert,
        ...(options.key ? ['-inkey', options.key] : ['-nokeys']),
        ...certfileArgs,
        ...(options.extra ?? []),
        '-passout',
        'env:EASGATE_TEST_PASSWORD',
        '-out',
        out,
      ],
      options.password,
    );
    return readFileSync(out);
  }

  encryptedPkcs8(key: string, password: string): string {
    const out = this.file('enc', 'key');
    this.run(
      [
        'pkcs8',
        '-topk8',
        '-in',
        key,
        '-v2',
        'aes-256-cbc',
        '-passout',
        'env:EASGATE_TEST_PASSWORD',
        '-out',
        out,
      ],
      password,
    );
    return readFileSync(out, 'utf8');
  }

  read(file: string): Buffer {
    return readFileSync(file);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
