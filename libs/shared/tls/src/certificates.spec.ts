import { X509Certificate } from 'node:crypto';
import {
  certificateProblem,
  createCertificateAuthority,
  issueServerCertificate,
  notAfterOf,
} from './certificates';

const DAY_MS = 86_400_000;
const now = new Date('2026-12-01T00:00:00Z');

describe(certificateProblem.name, () => {
  const ca = createCertificateAuthority('test CA', 3650, now);
  const other = createCertificateAuthority('another CA', 3650, now);
  const hosts = ['cert-vault', 'easgate-cert-vault', 'localhost', '127.0.0.1'];
  const sut = issueServerCertificate(ca, 'cert-vault', hosts, 90, now);

  it('keeps a certificate of the CA that names every host and is far from its end', () => {
    expect(certificateProblem(sut, { caPem: ca.certPem, hosts, renewWithinDays: 30, now })).toBeUndefined();
  });

  it('renews a certificate within the renewal window of its end', () => {
    const late = new Date(now.getTime() + 61 * DAY_MS);
    expect(certificateProblem(sut, { caPem: ca.certPem, hosts, renewWithinDays: 30, now: late })).toBe(
      'expiring',
    );
  });

  it('issues again a certificate of another CA, one missing a name, or one paired with another key', () => {
    const foreign = issueServerCertificate(other, 'cert-vault', hosts, 90, now);
    const renewWithinDays = 30;
    expect(certificateProblem(foreign, { caPem: ca.certPem, hosts, renewWithinDays, now })).toBe(
      'not-issued-by-ca',
    );
    expect(
      certificateProblem(sut, {
        caPem: ca.certPem,
        hosts: [...hosts, 'vault.example'],
        renewWithinDays,
        now,
      }),
    ).toBe('hosts-missing');
    expect(
      certificateProblem(
        { certPem: sut.certPem, keyPem: foreign.keyPem },
        { caPem: ca.certPem, hosts, renewWithinDays, now },
      ),
    ).toBe('key-mismatch');
  });

  it('issues server certificates for DNS names and IP addresses, never beyond the CA', () => {
    const shortCa = createCertificateAuthority('short CA', 10, now);
    const capped = issueServerCertificate(shortCa, 'alerting', ['alerting', '::1'], 397, now);
    const x509 = new X509Certificate(capped.certPem);

    expect(x509.checkHost('alerting')).toBe('alerting');
    expect(x509.checkIP('::1')).toBe('::1');
    expect(x509.ca).toBe(false);
    expect(x509.verify(new X509Certificate(shortCa.certPem).publicKey)).toBe(true);
    expect(notAfterOf(capped.certPem).getTime()).toBeLessThanOrEqual(notAfterOf(shortCa.certPem).getTime());
  });
});
