import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { registerCertCommands } from './cert.command';

const ROOT = resolve(__dirname, '../../../..');
const PASSWORD = 'Kennwort-für-Tests';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `easgate` entry point, as an admin or a script would. */
function easgate(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Run {
  const result = spawnSync(process.execPath, [join(ROOT, 'tools/bin/easgate.js'), 'cert', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function openssl(args: string[], dir: string): void {
  spawnSync('openssl', args, { cwd: dir, env: { ...process.env, P: PASSWORD }, stdio: 'ignore' });
}

describe(registerCertCommands.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'easgate-cli-cert-'));
  const pfx = join(dir, 'easgate.pfx');
  let created: Run;

  beforeAll(() => {
    created = easgate(
      [
        'create',
        '--subject',
        'CN=easgate, O=Contoso',
        '--days',
        '200',
        '--out',
        pfx,
        '--certificate-password-env',
        'PFX_PASSWORD',
        '--pem-out',
        join(dir, 'easgate.pem'),
        '--key-credentials-out',
        join(dir, 'key-credentials.json'),
        '--json',
      ],
      { env: { PFX_PASSWORD: PASSWORD } },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('create', () => {
    it('writes the .pfx, the public .cer next to it, the .pem and the keyCredentials JSON, and exits 0', () => {
      const output = JSON.parse(created.stdout);

      expect(created.status).toBe(0);
      expect(output.certificate).toMatchObject({
        subject: 'CN=easgate, O=Contoso',
        keySize: 2048,
        chainLength: 1,
      });
      expect(output.files.cer).toBe(join(dir, 'easgate.cer'));
      expect(readFileSync(join(dir, 'easgate.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
      expect(JSON.parse(readFileSync(join(dir, 'key-credentials.json'), 'utf8'))).toMatchObject({
        type: 'AsymmetricX509Cert',
        usage: 'Verify',
        key: readFileSync(join(dir, 'easgate.cer')).toString('base64'),
      });
    });

    it('explains the next steps in text mode, with the exact commands', () => {
      const run = easgate(
        [
          'create',
          '--subject',
          'CN=people',
          '--out',
          join(dir, 'people.pfx'),
          '--certificate-password-stdin',
        ],
        { input: `${PASSWORD}\n` },
      );

      expect(run.status).toBe(0);
      expect(run.stdout).toContain('az ad app credential reset --id <app-id> --cert');
      expect(run.stdout).toContain('dc50a0fb-09a3-484d-be87-e023b12c6440=Role');
      expect(run.stdout).toContain('29232cdf-9323-42fd-ade2-1d097af3e4de');
      expect(run.stdout).toContain(
        `Connect-ExchangeOnline -CertificateFilePath "${join(dir, 'people.pfx')}"`,
      );
      expect(run.stdout).not.toContain(PASSWORD);
    });

    it('never overwrites an existing certificate file (exit 1)', () => {
      const run = easgate(['create', '--subject', 'CN=x', '--out', pfx, '--certificate-password-env', 'P'], {
        env: { P: PASSWORD },
      });

      expect(run.status).toBe(1);
      expect(run.stderr).toContain('already exists');
    });
  });

  describe('validate', () => {
    it('exits 0 with the JSON verdict for a usable file, password from the environment', () => {
      const run = easgate(
        ['validate', '--certificate-file-path', pfx, '--certificate-password-env', 'P', '--json'],
        {
          env: { P: PASSWORD },
        },
      );

      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ valid: true, errors: [], warnings: [] });
    });

    it('reads the password from stdin and exits 2 with WRONG_PASSWORD when it is wrong', () => {
      const run = easgate(
        ['validate', '--certificate-file-path', pfx, '--certificate-password-stdin', '--json'],
        {
          input: 'not-it\n',
        },
      );

      expect(run.status).toBe(2);
      expect(JSON.parse(run.stdout)).toEqual({
        valid: false,
        errors: [{ code: 'WRONG_PASSWORD', message: expect.any(String) }],
        warnings: [],
      });
    });

    it('exits 2 for an OpenSSL-made file with a 1024-bit key, and prints the verdict for people', () => {
      openssl(
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:1024',
          '-nodes',
          '-keyout',
          'small.key',
          '-out',
          'small.pem',
          '-subj',
          '/CN=small',
          '-days',
          '30',
        ],
        dir,
      );
      openssl(
        [
          'pkcs12',
          '-export',
          '-legacy',
          '-inkey',
          'small.key',
          '-in',
          'small.pem',
          '-out',
          'small.pfx',
          '-passout',
          'env:P',
        ],
        dir,
      );

      const run = easgate(
        ['validate', '--certificate-file-path', join(dir, 'small.pfx'), '--certificate-password-env', 'P'],
        {
          env: { P: PASSWORD },
        },
      );

      expect(run.status).toBe(2);
      expect(run.stdout).toContain('REJECTED');
      expect(run.stdout).toContain('RSA_TOO_SMALL');
      expect(run.stdout).toContain('Subject:            CN=small');
    });

    it.each([
      ['no password source', ['--certificate-file-path', 'x.pfx']],
      [
        'both password sources',
        [
          '--certificate-file-path',
          'x.pfx',
          '--certificate-password-env',
          'P',
          '--certificate-password-stdin',
        ],
      ],
      [
        'an unset environment variable',
        ['--certificate-file-path', 'x.pfx', '--certificate-password-env', 'EASGATE_UNSET_VAR'],
      ],
      [
        'an unreadable file',
        ['--certificate-file-path', '/nonexistent/x.pfx', '--certificate-password-env', 'P'],
      ],
      ['no file flag', ['--certificate-password-env', 'P']],
    ])('exits 1 on a usage error: %s', (_name, args) => {
      expect(easgate(['validate', ...args], { env: { P: PASSWORD } }).status).toBe(1);
    });
  });
});
