import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { OpenSslBuilder } from '../testing/openssl.builder';
import { CertificateErrorCode } from './certificate-error';
import { assessCertificateInWorker } from './certificate-worker';

describe(assessCertificateInWorker.name, () => {
  const openssl = new OpenSslBuilder();
  const password = 'correct horse battery staple';

  afterAll(() => rmSync(openssl.dir, { recursive: true, force: true }));

  const aPfx = (iterations = 2048) => {
    const key = openssl.rsaKey(2048);
    const cert = openssl.selfSigned(key, { ext: ['keyUsage=critical,digitalSignature'] });
    return {
      pfx: openssl.pkcs12({ key, cert, password, extra: ['-iter', String(iterations)] }),
      cert: new X509Certificate(readFileSync(cert)),
    };
  };

  it('opens a PFX on a worker thread and returns a usable signing certificate', async () => {
    const { pfx, cert } = aPfx();

    const sut = await assessCertificateInWorker({ data: pfx, password, now: new Date() });

    expect(sut.result.valid).toBe(true);
    expect(sut.signing?.certificate.fingerprint256).toBe(cert.fingerprint256);
    expect(sut.signing?.privateKey.type).toBe('private');
    expect(cert.checkPrivateKey(sut.signing!.privateKey)).toBe(true);
  });

  it('keeps the event loop turning while a PFX with 100,000 KDF iterations is opened', async () => {
    const { pfx } = aPfx(100_000);
    const finished: string[] = [];

    const opening = assessCertificateInWorker({ data: pfx, password, now: new Date() }).then((assessment) => {
      finished.push('pfx opened');
      return assessment;
    });
    for (let hop = 0; hop < 10; hop += 1) await new Promise((resolve) => setTimeout(resolve, 1));
    finished.push('timers fired');
    const assessment = await opening;

    expect(finished).toEqual(['timers fired', 'pfx opened']);
    expect(assessment.result.valid).toBe(true);
  });

  it('answers a wrong password with its code, as the synchronous reader does', async () => {
    const { pfx } = aPfx();

    const sut = await assessCertificateInWorker({ data: pfx, password: 'wrong', now: new Date() });

    expect(sut.result.errors.map((e) => e.code)).toEqual([CertificateErrorCode.WrongPassword]);
    expect(sut.signing).toBeUndefined();
  });

  it('stops the worker and answers VALIDATION_TIMED_OUT when opening takes longer than allowed', async () => {
    const { pfx } = aPfx(100_000);

    await expect(
      assessCertificateInWorker({ data: pfx, password, now: new Date() }, { timeoutMs: 1 }),
    ).rejects.toMatchObject({
      code: CertificateErrorCode.TimedOut,
    });
  });
});
