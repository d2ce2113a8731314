import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { OpenSslBuilder } from '../testing/openssl.builder';
import { thrown } from '../testing/thrown';
import { writePkcs12 } from '../pkcs12/pkcs12-writer';
import { CertificateErrorCode, CertificateWarningCode } from './certificate-error';
import { loadSigningCertificate, validateCertificate } from './certificate-validator';

const PASSWORD = 'Pässwörd-€-测试';
const DAY = 86_400_000;
describe(validateCertificate.name, () => {
  const openssl = new OpenSslBuilder();
  let key: string;
  let otherKey: string;
  let cert: string;

  beforeAll(() => {
    // Keys are generated once per file: RSA generation is the slow part on small machines.
    key = openssl.rsaKey(2048);
    otherKey = openssl.rsaKey(2048);
    cert = openssl.selfSigned(key, {
      subject: '/O=Contoso/CN=easgate',
      ext: ['keyUsage=critical,digitalSignature'],
    });
  });
  afterAll(() => openssl.cleanup());

  const sut = (data: Buffer, password = PASSWORD, now = new Date()) =>
    validateCertificate({ data, password, now });
  const codes = (findings: { code: string }[]) => findings.map((f) => f.code);

  describe('accepts', () => {
    it('accepts an OpenSSL 3 default PKCS#12 (PBES2, AES-256-CBC, SHA-256 MAC) with a non-ASCII password', () => {
      const result = sut(openssl.pkcs12({ key, cert, password: PASSWORD }));

      expect(result).toMatchObject({ valid: true, errors: [], warnings: [] });
      expect(result.certificate).toMatchObject({
        subject: 'CN=easgate, O=Contoso',
        issuer: 'CN=easgate, O=Contoso',
        keyAlgorithm: 'RSA',
        keySize: 2048,
        signatureAlgorithm: 'sha256WithRSAEncryption',
        chainLength: 1,
      });
      expect(result.certificate?.thumbprintSha1).toMatch(/^[0-9A-F]{40}$/);
      expect(result.certificate?.thumbprintSha256).toMatch(/^[0-9A-F]{64}$/);
      expect(result.certificate?.notAfter).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('accepts a legacy PKCS#12 (RC2-40 certificates, 3DES key, SHA-1 MAC) made with openssl -legacy', () => {
      const result = sut(openssl.pkcs12({ key, cert, password: PASSWORD, extra: ['-legacy'] }));

      expect(result.valid).toBe(true);
    });

    it('accepts a 3DES/SHA-1 PKCS#12 as older Windows exports them (TripleDES-SHA1)', () => {
      const extra = ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'];

      expect(sut(openssl.pkcs12({ key, cert, password: PASSWORD, extra })).valid).toBe(true);
    });

    it('accepts a Windows-style export with a friendly name and a CSP attribute (AES256-SHA256)', () => {
      const extra = [
        '-name',
        'easgate (Contoso)',
        '-CSP',
        'Microsoft Enhanced RSA and AES Cryptographic Provider',
        '-keypbe',
        'AES-256-CBC',
        '-certpbe',
        'AES-256-CBC',
        '-macalg',
        'sha256',
      ];

      expect(sut(openssl.pkcs12({ key, cert, password: PASSWORD, extra })).valid).toBe(true);
    });

    it('accepts a PKCS#12 without integrity MAC', () => {
      expect(sut(openssl.pkcs12({ key, cert, password: PASSWORD, extra: ['-nomac'] })).valid).toBe(true);
    });

    it('accepts a CA-issued certificate with its chain stored in reverse order, and keeps the chain', () => {
      const rootKey = openssl.rsaKey(2048);
      const root = openssl.selfSigned(rootKey, { subject: '/CN=Contoso Root', ca: true });
      const intermediate = openssl.issued(otherKey, root, rootKey, {
        subject: '/CN=Contoso Issuing',
        ca: true,
      });
      const leaf = openssl.issued(key, intermediate, otherKey, { subject: '/CN=easgate.contoso.com' });

      const data = openssl.pkcs12({ key, cert: leaf, certfile: [root, intermediate], password: PASSWORD });
      const result = sut(data);
      const signing = loadSigningCertificate({ data, password: PASSWORD, now: new Date() });

      expect(result.valid).toBe(true);
      expect(result.certificate).toMatchObject({
        subject: 'CN=easgate.contoso.com',
        issuer: 'CN=Contoso Issuing',
        chainLength: 3,
      });
      expect(signing.chain.map((c) => c.subject)).toEqual([
        'CN=easgate.contoso.com',
        'CN=Contoso Issuing',
        'CN=Contoso Root',
      ]);
    });

    it('picks the certificate that matches the key when unrelated certificates come first, and warns about them', () => {
      const stranger = openssl.selfSigned(otherKey, { subject: '/CN=someone else' });
      const pem = Buffer.concat([
        openssl.read(stranger),
        openssl.read(cert),
        Buffer.from(openssl.encryptedPkcs8(key, PASSWORD)),
      ]);

      const result = sut(pem);

      expect(result.valid).toBe(true);
      expect(result.certificate?.subject).toBe('CN=easgate, O=Contoso');
      expect(codes(result.warnings)).toEqual([CertificateWarningCode.UnrelatedCertificates]);
    });

    it('accepts PEM input with a certificate and an encrypted PKCS#8 key', () => {
      const pem = Buffer.concat([openssl.read(cert), Buffer.from(openssl.encryptedPkcs8(key, PASSWORD))]);

      expect(sut(pem)).toMatchObject({ valid: true, warnings: [] });
    });

    it('accepts PEM input with an unencrypted key but warns that it is unencrypted', () => {
      const result = sut(Buffer.concat([openssl.read(cert), openssl.read(key)]), '');

      expect(result.valid).toBe(true);
      expect(codes(result.warnings)).toEqual([CertificateWarningCode.UnencryptedPrivateKey]);
    });

    it('warns about an empty password but still accepts the file', () => {
      const result = sut(openssl.pkcs12({ key, cert, password: '' }), '');

      expect(result.valid).toBe(true);
      expect(codes(result.warnings)).toEqual([CertificateWarningCode.EmptyPassword]);
    });

    it('warns when the certificate expires within 30 days', () => {
      const result = sut(
        openssl.pkcs12({ key, cert, password: PASSWORD }),
        PASSWORD,
        new Date(Date.now() + 350 * DAY),
      );

      expect(result.valid).toBe(true);
      expect(codes(result.warnings)).toEqual([CertificateWarningCode.ExpiresSoon]);
    });

    it('warns when key usage is present without digitalSignature', () => {
      const limited = openssl.selfSigned(key, { ext: ['keyUsage=critical,keyEncipherment'] });

      const result = sut(openssl.pkcs12({ key, cert: limited, password: PASSWORD }));

      expect(result.valid).toBe(true);
      expect(codes(result.warnings)).toEqual([CertificateWarningCode.NoDigitalSignatureUsage]);
    });
  });

  describe('rejects', () => {
    it('rejects a wrong password on an OpenSSL 3 file, without certificate facts', () => {
      const result = sut(openssl.pkcs12({ key, cert, password: PASSWORD }), 'wrong');

      expect(result).toEqual({
        valid: false,
        errors: [expect.objectContaining({ code: CertificateErrorCode.WrongPassword })],
        warnings: [],
      });
    });

    it('rejects a wrong password on a legacy file', () => {
      const result = sut(openssl.pkcs12({ key, cert, password: PASSWORD, extra: ['-legacy'] }), 'Passwort');

      expect(codes(result.errors)).toEqual([CertificateErrorCode.WrongPassword]);
    });

    it('rejects a wrong password on a file without MAC', () => {
      const result = sut(openssl.pkcs12({ key, cert, password: PASSWORD, extra: ['-nomac'] }), 'wrong');

      expect(codes(result.errors)).toEqual([CertificateErrorCode.WrongPassword]);
    });

    it('rejects a wrong password on an encrypted PEM key', () => {
      const pem = Buffer.concat([openssl.read(cert), Buffer.from(openssl.encryptedPkcs8(key, PASSWORD))]);

      expect(codes(sut(pem, 'wrong').errors)).toEqual([CertificateErrorCode.WrongPassword]);
    });

    it.each([
      ['random bytes', () => randomBytes(512)],
      ['an empty file', () => Buffer.alloc(0)],
      ['a truncated PKCS#12', () => openssl.pkcs12({ key, cert, password: PASSWORD }).subarray(0, 700)],
    ])('rejects %s as not PKCS#12', (_name, data) => {
      expect(codes(sut(data()).errors)).toEqual([CertificateErrorCode.NotPkcs12]);
    });

    it('rejects a DER .cer file and says the private key is missing from it', () => {
      const der = openssl.run(['x509', '-in', cert, '-outform', 'DER']);

      const result = sut(der);

      expect(codes(result.errors)).toEqual([CertificateErrorCode.NotPkcs12]);
      expect(result.errors[0]?.message).toContain('without its private key');
    });

    it('rejects encryption it cannot read (RC4) with a plain explanation', () => {
      const extra = ['-legacy', '-certpbe', 'PBE-SHA1-RC4-128', '-keypbe', 'PBE-SHA1-RC4-128'];

      const result = sut(openssl.pkcs12({ key, cert, password: PASSWORD, extra }));

      expect(codes(result.errors)).toEqual([CertificateErrorCode.UnsupportedEncryption]);
    });

    it('rejects a PKCS#12 that holds no private key, but still describes its certificate', () => {
      const result = sut(openssl.pkcs12({ cert, password: PASSWORD }));

      expect(codes(result.errors)).toEqual([CertificateErrorCode.NoPrivateKey]);
      expect(result.certificate?.subject).toBe('CN=easgate, O=Contoso');
    });

    it('rejects a PKCS#12 whose key does not match its certificate', () => {
      const data = writePkcs12({
        privateKey: createPrivateKey(readFileSync(otherKey)),
        certificate: new X509Certificate(readFileSync(cert)).raw,
        password: PASSWORD,
      });

      const result = sut(data);

      expect(codes(result.errors)).toEqual([CertificateErrorCode.KeyCertMismatch]);
      expect(result.certificate?.subject).toBe('CN=easgate, O=Contoso');
    });

    it('rejects a PEM file whose key belongs to another certificate', () => {
      const result = sut(Buffer.concat([openssl.read(cert), openssl.read(otherKey)]), '');

      expect(codes(result.errors)).toEqual([CertificateErrorCode.KeyCertMismatch]);
    });

    it('rejects a file that holds several private keys', () => {
      const result = sut(Buffer.concat([openssl.read(cert), openssl.read(key), openssl.read(otherKey)]), '');

      expect(codes(result.errors)).toEqual([CertificateErrorCode.MultipleKeys]);
    });

    it('rejects a non-RSA (EC) key, since Entra client assertions need RSA', () => {
      const ecKey = openssl.ecKey();
      const ecCert = openssl.selfSigned(ecKey);

      const result = sut(openssl.pkcs12({ key: ecKey, cert: ecCert, password: PASSWORD }));

      expect(codes(result.errors)).toEqual([CertificateErrorCode.NotRsa]);
      expect(result.certificate?.keyAlgorithm).toBe('EC');
    });

    it('rejects an RSA key under 2048 bits', () => {
      const small = openssl.rsaKey(1024);

      const result = sut(openssl.pkcs12({ key: small, cert: openssl.selfSigned(small), password: PASSWORD }));

      expect(codes(result.errors)).toEqual([CertificateErrorCode.RsaTooSmall]);
      expect(result.certificate?.keySize).toBe(1024);
    });

    it('rejects an expired certificate', () => {
      const result = sut(
        openssl.pkcs12({ key, cert, password: PASSWORD }),
        PASSWORD,
        new Date(Date.now() + 400 * DAY),
      );

      expect(codes(result.errors)).toEqual([CertificateErrorCode.Expired]);
    });

    it('rejects a certificate that is not valid yet', () => {
      const result = sut(
        openssl.pkcs12({ key, cert, password: PASSWORD }),
        PASSWORD,
        new Date(Date.now() - 2 * DAY),
      );

      expect(codes(result.errors)).toEqual([CertificateErrorCode.NotYetValid]);
    });

    it('rejects a certificate signed with SHA-1', () => {
      const sha1Cert = openssl.selfSigned(key, { digest: 'sha1' });

      const result = sut(openssl.pkcs12({ key, cert: sha1Cert, password: PASSWORD }));

      expect(codes(result.errors)).toEqual([CertificateErrorCode.WeakSignatureAlgorithm]);
      expect(result.certificate?.signatureAlgorithm).toBe('sha1WithRSAEncryption');
    });
  });

  describe(loadSigningCertificate.name, () => {
    it('throws the first rejection as a CertificateError with its code', () => {
      const data = openssl.pkcs12({ key, cert, password: PASSWORD });

      expect(thrown(() => loadSigningCertificate({ data, password: 'nope', now: new Date() }))).toMatchObject(
        {
          code: CertificateErrorCode.WrongPassword,
        },
      );
    });
  });
});
