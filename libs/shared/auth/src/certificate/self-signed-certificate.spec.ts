import { createHash, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { OpenSslBuilder } from '../testing/openssl.builder';
import { CertificateCreationErrorCode } from './certificate-creation-error';
import { validateCertificate } from './certificate-validator';
import { createSelfSignedCertificate, type SelfSignedCertificate } from './self-signed-certificate';

const PASSWORD = 'Grüße-für-Exchange';

describe(createSelfSignedCertificate.name, () => {
  const openssl = new OpenSslBuilder();
  const now = new Date('2026-03-01T10:00:00Z');
  let sut: SelfSignedCertificate;
  let pfxPath: string;
  let cerPath: string;

  beforeAll(async () => {
    sut = await createSelfSignedCertificate({ subject: 'CN=easgate, O=Contoso', password: PASSWORD, now });
    pfxPath = openssl.file('created', 'pfx');
    cerPath = openssl.file('created', 'cer');
    writeFileSync(pfxPath, sut.pfx);
    writeFileSync(cerPath, sut.cer);
  });
  afterAll(() => openssl.cleanup());

  it('writes a PKCS#12 that OpenSSL 3 opens without -legacy (no keys) with a non-ASCII password', () => {
    const output = openssl.runText(
      ['pkcs12', '-in', pfxPath, '-passin', 'env:EASGATE_TEST_PASSWORD', '-nokeys'],
      PASSWORD,
    );

    expect(output).toContain('-----BEGIN CERTIFICATE-----');
    expect(output).toContain('friendlyName: CN=easgate, O=Contoso');
  });

  it('uses AES-256-CBC with PBKDF2-HMAC-SHA256 for both bags and a SHA-256 MAC, as OpenSSL 3 does', () => {
    const info = openssl.runText(
      ['pkcs12', '-in', pfxPath, '-passin', 'env:EASGATE_TEST_PASSWORD', '-info', '-noout'],
      PASSWORD,
    );

    expect(info).toContain('MAC: sha256');
    expect(info.match(/PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/g)).toHaveLength(2);
  });

  it('lets OpenSSL extract the private key that matches the certificate', () => {
    const keyPem = openssl.runText(
      ['pkcs12', '-in', pfxPath, '-passin', 'env:EASGATE_TEST_PASSWORD', '-nocerts', '-nodes'],
      PASSWORD,
    );

    expect(keyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(sut.certificate.checkPrivateKey(sut.privateKey)).toBe(true);
  });

  it('creates an RSA 2048 certificate signed with SHA-256, valid 365 days from now', () => {
    expect(sut.facts).toMatchObject({
      subject: 'CN=easgate, O=Contoso',
      issuer: 'CN=easgate, O=Contoso',
      keyAlgorithm: 'RSA',
      keySize: 2048,
      signatureAlgorithm: 'sha256WithRSAEncryption',
      notBefore: '2026-03-01T10:00:00.000Z',
      notAfter: '2027-03-01T10:00:00.000Z',
      chainLength: 1,
    });
  });

  it('marks key usage digitalSignature (critical), and OpenSSL verifies it', () => {
    const text = openssl.runText(['x509', '-inform', 'DER', '-in', cerPath, '-noout', '-text']);
    const pemPath = openssl.file('created', 'pem');
    writeFileSync(pemPath, sut.pem);
    const verified = openssl.runText(['verify', '-no_check_time', '-CAfile', pemPath, pemPath]);

    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toContain('Subject: O = Contoso, CN = easgate');
    expect(verified).toContain(': OK');
  });

  it('passes its own validation without errors or warnings', () => {
    const result = validateCertificate({ data: sut.pfx, password: PASSWORD, now });

    expect(result).toMatchObject({ valid: true, errors: [], warnings: [] });
    expect(result.certificate?.thumbprintSha1).toBe(sut.facts.thumbprintSha1);
  });

  it('gives the public certificate as DER (.cer) and PEM with the same bytes', () => {
    expect(new X509Certificate(sut.pem).raw.equals(sut.cer)).toBe(true);
  });

  it('describes the Entra keyCredentials entry for the certificate', () => {
    const sha1 = createHash('sha1').update(sut.cer).digest();

    expect(sut.keyCredential).toEqual({
      customKeyIdentifier: sha1.toString('base64'),
      keyId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      type: 'AsymmetricX509Cert',
      usage: 'Verify',
      key: sut.cer.toString('base64'),
      startDateTime: '2026-03-01T10:00:00.000Z',
      endDateTime: '2027-03-01T10:00:00.000Z',
      displayName: 'CN=easgate, O=Contoso',
    });
  });

  it.each([
    [{ keySize: 1024 }, CertificateCreationErrorCode.InvalidKeySize],
    [{ days: 0 }, CertificateCreationErrorCode.InvalidValidity],
    [{ subject: 'O=Contoso' }, CertificateCreationErrorCode.InvalidSubject],
    [{ password: '' }, CertificateCreationErrorCode.EmptyPassword],
  ])('refuses %p with %s', async (override, code) => {
    await expect(
      createSelfSignedCertificate({ subject: 'CN=easgate', password: PASSWORD, now, ...override }),
    ).rejects.toMatchObject({ code });
  });
});
