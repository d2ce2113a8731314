import {
  generateServiceKey,
  issueServiceToken,
  publicKeyOf,
  ServiceTokenVerifier,
  type TrustedService,
} from './service-tokens';

const executor = generateServiceKey('exchange-executor');
const trusted: TrustedService[] = [
  { name: 'exchange-executor', publicKey: publicKeyOf(executor), tenants: ['t1'] },
];
const now = new Date('2026-12-01T00:00:00Z');

describe(ServiceTokenVerifier.name, () => {
  const sut = new ServiceTokenVerifier('cert-vault', () => trusted);

  it('accepts a token the trusted service signed for this audience, with the tenants it is trusted for', () => {
    expect(sut.verify(issueServiceToken(executor, 'cert-vault', now), now)).toEqual({
      kind: 'service',
      id: 'exchange-executor',
      roles: ['service'],
      tenants: ['t1'],
    });
  });

  it('refuses a token for another service, an expired one, or one signed with another key', () => {
    expect(sut.verify(issueServiceToken(executor, 'alerting', now), now)).toBeUndefined();
    expect(
      sut.verify(issueServiceToken(executor, 'cert-vault', now), new Date(now.getTime() + 301_000)),
    ).toBeUndefined();
    const impostor = generateServiceKey('exchange-executor');
    expect(sut.verify(issueServiceToken(impostor, 'cert-vault', now), now)).toBeUndefined();
  });

  it('refuses a token whose claims were changed after signing', () => {
    const [header, claims, signature] = issueServiceToken(executor, 'alerting', now).split('.');
    const changed = Buffer.from(
      Buffer.from(claims, 'base64url').toString('utf8').replace('"alerting"', '"cert-vault"'),
    ).toString('base64url');
    expect(sut.verify(`${header}.${changed}.${signature}`, now)).toBeUndefined();
    expect(sut.verify('not.a.jwt', now)).toBeUndefined();
  });
});
