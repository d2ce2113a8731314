import { webcrypto } from 'node:crypto';
import {
  createSelfSignedCertificate,
  type SelfSignedCertificate,
} from '../certificate/self-signed-certificate';
import { signClientAssertion } from './client-assertion';
import { JwtErrorCode, verifyJwt } from './jwt';
import { algorithmOf, importSigningKey, signJwtWithKey } from './signing-key';

const TOKEN_ENDPOINT = 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token';

describe(importSigningKey.name, () => {
  const now = new Date('2026-05-01T12:00:00Z');
  let credential: SelfSignedCertificate;
  let pkcs8: Buffer;

  beforeAll(async () => {
    credential = await createSelfSignedCertificate({ subject: 'CN=easgate', password: 'x', now });
    pkcs8 = credential.privateKey.export({ type: 'pkcs8', format: 'der' });
  });

  it('imports a key that WebCrypto refuses to export', async () => {
    const sut = await importSigningKey(pkcs8, 'RS256');

    expect(sut.extractable).toBe(false);
    expect(sut.usages).toEqual(['sign']);
    await expect(webcrypto.subtle.exportKey('pkcs8', sut)).rejects.toThrow();
  });

  it.each(['RS256', 'PS256'] as const)(
    'signs %s client assertions that verify with the certificate',
    async (alg) => {
      const sut = await importSigningKey(pkcs8, alg);

      const signed = await signClientAssertion({
        clientId: 'app',
        tokenEndpoint: TOKEN_ENDPOINT,
        certificate: credential.certificate,
        signingKey: sut,
        now,
      });

      const { header, payload } = verifyJwt(signed.assertion, {
        key: credential.certificate,
        now,
        algorithms: [alg],
        audience: TOKEN_ENDPOINT,
      });
      expect(algorithmOf(sut)).toBe(alg);
      expect(header.alg).toBe(alg);
      expect(payload['jti']).toBe(signed.jti);
    },
  );

  it('refuses to sign for an algorithm other than the one the key was imported for', async () => {
    const sut = await importSigningKey(pkcs8, 'PS256');

    await expect(signJwtWithKey({ alg: 'RS256' }, {}, sut)).rejects.toMatchObject({
      code: JwtErrorCode.AlgorithmNotAllowed,
    });
  });

  it('rejects bytes that are not an RSA private key', async () => {
    await expect(importSigningKey(Buffer.from('not a key'), 'RS256')).rejects.toMatchObject({
      code: JwtErrorCode.NotRsaKey,
    });
  });
});
