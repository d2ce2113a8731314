import { generateKeyPairSync } from 'node:crypto';
import { JwtErrorCode, signJwt, verifyJwt } from './jwt';
import { thrown } from '../testing/thrown';

describe(verifyJwt.name, () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = new Date('2026-01-01T00:00:00Z');
  const t = now.getTime() / 1000;
  const token = (payload: Record<string, unknown> = {}, alg: 'RS256' | 'PS256' = 'RS256') =>
    signJwt({ alg, typ: 'JWT' }, { aud: 'a', iss: 'i', nbf: t, exp: t + 600, ...payload }, privateKey);

  it.each(['RS256', 'PS256'] as const)('verifies a %s token signed by the matching key', (alg) => {
    expect(verifyJwt(token({}, alg), { key: publicKey, now, audience: 'a', issuer: 'i' }).payload.aud).toBe(
      'a',
    );
  });

  it.each([
    [
      'a token signed by another key',
      () => verifyJwt(token(), { key: other.publicKey, now }),
      JwtErrorCode.BadSignature,
    ],
    [
      'an expired token',
      () => verifyJwt(token({ exp: t - 301 }), { key: publicKey, now }),
      JwtErrorCode.Expired,
    ],
    [
      'a token not valid yet',
      () => verifyJwt(token({ nbf: t + 301 }), { key: publicKey, now }),
      JwtErrorCode.NotYetValid,
    ],
    [
      'another audience',
      () => verifyJwt(token(), { key: publicKey, now, audience: 'b' }),
      JwtErrorCode.AudienceMismatch,
    ],
    [
      'another issuer',
      () => verifyJwt(token(), { key: publicKey, now, issuer: 'x' }),
      JwtErrorCode.IssuerMismatch,
    ],
    [
      'an algorithm not allowed',
      () => verifyJwt(token({}, 'PS256'), { key: publicKey, now, algorithms: ['RS256'] }),
      JwtErrorCode.AlgorithmNotAllowed,
    ],
    ['garbage', () => verifyJwt('a.b', { key: publicKey, now }), JwtErrorCode.Malformed],
  ])('rejects %s', (_name, act, code) => {
    expect(thrown(act)).toMatchObject({ code });
  });

  it('tolerates five minutes of clock skew by default', () => {
    expect(() => verifyJwt(token({ exp: t - 299 }), { key: publicKey, now })).not.toThrow();
  });

  it('refuses to sign with a non-RSA key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

    expect(thrown(() => signJwt({ alg: 'RS256' }, {}, ec.privateKey))).toMatchObject({
      code: JwtErrorCode.NotRsaKey,
    });
  });
});
