import {
  createSelfSignedCertificate,
  type SelfSignedCertificate,
} from '../certificate/self-signed-certificate';
import { buildClientAssertion, buildGraphProofOfPossession, GRAPH_PROOF_AUDIENCE } from './client-assertion';
import { decodeJwt, verifyJwt } from './jwt';

const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const TOKEN_ENDPOINT = 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token';

describe(buildClientAssertion.name, () => {
  const now = new Date('2026-05-01T12:00:00Z');
  let credential: SelfSignedCertificate;

  beforeAll(async () => {
    credential = await createSelfSignedCertificate({ subject: 'CN=easgate', password: 'x', now });
  });

  const sut = (overrides: Partial<Parameters<typeof buildClientAssertion>[0]> = {}) =>
    buildClientAssertion({
      clientId: CLIENT_ID,
      tokenEndpoint: TOKEN_ENDPOINT,
      certificate: credential.certificate,
      privateKey: credential.privateKey,
      now,
      ...overrides,
    });

  it('signs RS256 with the SHA-1 x5t header by default', () => {
    const { assertion } = sut();

    const { header } = verifyJwt(assertion, { key: credential.certificate, now, algorithms: ['RS256'] });

    expect(header).toEqual({
      alg: 'RS256',
      typ: 'JWT',
      x5t: Buffer.from(credential.facts.thumbprintSha1, 'hex').toString('base64url'),
    });
  });

  it('sets aud to the token endpoint, iss and sub to the app id, a uuid jti, and a 10 minute lifetime', () => {
    const { assertion, jti, expiresAt } = sut();

    const { payload } = decodeJwt(assertion);

    const iat = now.getTime() / 1000;
    expect(payload).toEqual({
      aud: TOKEN_ENDPOINT,
      iss: CLIENT_ID,
      sub: CLIENT_ID,
      jti,
      nbf: iat,
      iat,
      exp: iat + 600,
    });
    expect(jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(expiresAt).toEqual(new Date(now.getTime() + 600_000));
  });

  it('signs PS256 with x5t#S256 when asked, verifiable with PSS', () => {
    const { assertion } = sut({ algorithm: 'PS256' });

    const { header } = verifyJwt(assertion, { key: credential.certificate, now, algorithms: ['PS256'] });

    expect(header).toEqual({
      alg: 'PS256',
      typ: 'JWT',
      'x5t#S256': Buffer.from(credential.facts.thumbprintSha256, 'hex').toString('base64url'),
    });
  });

  it('can send both thumbprints', () => {
    const { header } = decodeJwt(sut({ thumbprint: 'both' }).assertion);

    expect(Object.keys(header)).toEqual(['alg', 'typ', 'x5t', 'x5t#S256']);
  });

  it('accepts a shorter lifetime and refuses one over 10 minutes', () => {
    expect(decodeJwt(sut({ lifetimeSeconds: 300 }).assertion).payload.exp).toBe(now.getTime() / 1000 + 300);
    expect(() => sut({ lifetimeSeconds: 601 })).toThrow(RangeError);
  });

  it('uses a new jti for each assertion', () => {
    expect(sut().jti).not.toBe(sut().jti);
  });
});

describe(buildGraphProofOfPossession.name, () => {
  it('signs the addKey proof: Graph audience, application object id as issuer, exp = nbf + 10 minutes', async () => {
    const now = new Date('2026-05-01T12:00:00Z');
    const credential = await createSelfSignedCertificate({ subject: 'CN=easgate', password: 'x', now });

    const sut = buildGraphProofOfPossession({
      applicationObjectId: 'aaaaaaaa-0000-0000-0000-000000000001',
      certificate: credential.certificate,
      privateKey: credential.privateKey,
      now,
    });

    const { header, payload } = verifyJwt(sut, {
      key: credential.certificate,
      now,
      audience: GRAPH_PROOF_AUDIENCE,
      issuer: 'aaaaaaaa-0000-0000-0000-000000000001',
    });
    expect(header.alg).toBe('RS256');
    expect(payload).toEqual({
      aud: '00000002-0000-0000-c000-000000000000',
      iss: 'aaaaaaaa-0000-0000-0000-000000000001',
      nbf: now.getTime() / 1000,
      exp: now.getTime() / 1000 + 600,
    });
  });
});
