import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initServiceTls, peerCaFromEnv, TlsComponents, TlsErrorCode } from '../src';

const DAY_MS = 86_400_000;
/** The error `act` throws (the test fails when it throws none). */
function thrownBy(act: () => unknown): { code?: string; message: string } {
  try {
    act();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected an error');
}
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe(initServiceTls.name, () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'service-tls-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('makes a CA and one certificate per component, keys 0600 in a 0700 directory', () => {
    const dir = join(root, 'tls');

    const sut = initServiceTls({ dir, hosts: ['{service}.easgate.svc'] });

    expect(mode(dir)).toBe('700');
    expect(mode(sut.caKeyFile)).toBe('600');
    expect(sut.caAction).toBe('created');
    expect(sut.certificates.map((c) => c.component)).toEqual([...TlsComponents]);
    const ca = new X509Certificate(readFileSync(sut.caFile));
    for (const c of sut.certificates) {
      const cert = new X509Certificate(readFileSync(c.certFile));
      expect({ component: c.component, action: c.action, keyMode: mode(c.keyFile) }).toEqual({
        component: c.component,
        action: 'created',
        keyMode: '600',
      });
      expect(cert.verify(ca.publicKey)).toBe(true);
      for (const host of [c.component, `easgate-${c.component}`, `${c.component}.easgate.svc`, 'localhost'])
        expect(cert.checkHost(host)).toBe(host);
      expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    }
  });

  it('keeps valid material on a second run and renews certificates near their end', () => {
    const dir = join(root, 'tls');
    const first = initServiceTls({ dir, days: 30 });
    const pem = (file: string) => readFileSync(file, 'utf8');
    const before = first.certificates.map((c) => pem(c.certFile));

    const again = initServiceTls({ dir, days: 30 });
    const kept = again.certificates.map((c) => pem(c.certFile));
    const later = initServiceTls({ dir, days: 30, now: new Date(Date.now() + 25 * DAY_MS) });

    expect(again.caAction).toBe('kept');
    expect(again.certificates.map((c) => c.action)).toEqual(TlsComponents.map(() => 'kept'));
    expect(kept).toEqual(before);
    expect(later.caAction).toBe('kept');
    expect(later.certificates.map((c) => c.action)).toEqual(TlsComponents.map(() => 'renewed'));
    expect(later.certificates.map((c) => pem(c.certFile))).not.toContain(before[0]);
  });

  it('issues again the certificates missing a newly asked name, and only those names change', () => {
    const dir = join(root, 'tls');
    initServiceTls({ dir, components: ['cert-vault'] });

    const sut = initServiceTls({ dir, components: ['cert-vault'], hosts: ['vault.example.com'] });

    expect(sut.certificates[0].action).toBe('renewed');
    expect(
      new X509Certificate(readFileSync(sut.certificates[0].certFile)).checkHost('vault.example.com'),
    ).toBe('vault.example.com');
  });

  it('refuses a key others may read instead of replacing it', () => {
    const dir = join(root, 'tls');
    const first = initServiceTls({ dir, components: ['alerting'] });
    chmodSync(first.certificates[0].keyFile, 0o644);

    expect(thrownBy(() => initServiceTls({ dir, components: ['alerting'] })).code).toBe(
      TlsErrorCode.MaterialInvalid,
    );
  });
});

describe(peerCaFromEnv.name, () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'peer-ca-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads the CA named by EASGATE_TLS_CA_FILE, and nothing when unset', () => {
    const { caFile } = initServiceTls({ dir: join(root, 'tls'), components: [] });

    expect(peerCaFromEnv({ EASGATE_TLS_CA_FILE: caFile })).toContain('BEGIN CERTIFICATE');
    expect(peerCaFromEnv({})).toBeUndefined();
  });

  it('refuses a missing file or one without a certificate, naming the setting and not the content', () => {
    const notPem = join(root, 'not-a-ca.pem');
    writeFileSync(notPem, 'secret-looking text');

    expect(() => peerCaFromEnv({ EASGATE_TLS_CA_FILE: join(root, 'absent.pem') })).toThrow(
      /^EASGATE_TLS_CA_FILE: cannot read .*absent\.pem \(ENOENT\)$/,
    );
    const refused = thrownBy(() => peerCaFromEnv({ EASGATE_TLS_CA_FILE: notPem }));
    expect(refused.code).toBe(TlsErrorCode.CaFileInvalid);
    expect(refused.message).not.toContain('secret');
  });
});
