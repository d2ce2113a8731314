import { sign } from 'node:crypto';
import { actorOf } from './identity';
import {
  generateServiceKey,
  issueDelegatedToken,
  issueServiceToken,
  publicKeyOf,
  ServiceTokenVerifier,
  type TrustedService,
} from './service-tokens';

const executor = generateServiceKey('exchange-executor');
const gateway = generateServiceKey('console-gateway');
const trusted: TrustedService[] = [
  { name: 'exchange-executor', publicKey: publicKeyOf(executor), tenants: ['t1'] },
  { name: 'console-gateway', publicKey: publicKeyOf(gateway), tenants: ['t1', 't2'], mayActForUsers: true },
];
const alice = { id: 'alice', roles: ['operator'] as const, tenants: ['T1', 't3'] };
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

  it('turns a delegated token of a service trusted to present users into that user, tenants narrowed to the service', () => {
    const identity = sut.verify(issueDelegatedToken(gateway, 'cert-vault', alice, now), now);
    expect(identity).toEqual({
      kind: 'user',
      id: 'alice',
      roles: ['operator'],
      tenants: ['T1'],
      via: 'console-gateway',
    });
    expect(actorOf(identity!)).toBe('user:alice via console-gateway');
  });

  it('gives a user of every tenant only the tenants the presenting service is trusted for', () => {
    const admin = { id: 'root', roles: ['admin'] as const, tenants: '*' as const };
    expect(sut.verify(issueDelegatedToken(gateway, 'cert-vault', admin, now), now)?.tenants).toEqual([
      't1',
      't2',
    ]);
  });

  it('refuses a delegated token from a service not trusted to present users, for another audience, or expired', () => {
    expect(sut.verify(issueDelegatedToken(executor, 'cert-vault', alice, now), now)).toBeUndefined();
    expect(sut.verify(issueDelegatedToken(gateway, 'alerting', alice, now), now)).toBeUndefined();
    expect(
      sut.verify(issueDelegatedToken(gateway, 'cert-vault', alice, now), new Date(now.getTime() + 61_000)),
    ).toBeUndefined();
  });

  it('refuses a delegated token that claims a service role or names no role', () => {
    const [header, claims] = issueDelegatedToken(gateway, 'cert-vault', alice, now).split('.');
    const forged = (from: string, to: string) => {
      const changed = Buffer.from(
        Buffer.from(claims, 'base64url').toString('utf8').replace(from, to),
      ).toString('base64url');
      const input = `${header}.${changed}`;
      const signature = sign(null, Buffer.from(input, 'ascii'), gateway.privateKey).toString('base64url');
      return `${input}.${signature}`;
    };
    expect(sut.verify(forged('"roles":["operator"]', '"roles":["service"]'), now)).toBeUndefined();
    expect(sut.verify(forged('"roles":["operator"]', '"roles":[]'), now)).toBeUndefined();
    expect(sut.verify(forged('"sub":"alice"', '"sub":"console-gateway"'), now)).toBeUndefined();
  });
});
