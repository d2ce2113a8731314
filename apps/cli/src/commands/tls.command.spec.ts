import { isIP } from 'node:net';
import fc from 'fast-check';
import { hostsFlag } from './tls.command';
import { UsageError } from './usage';

describe(hostsFlag.name, () => {
  it('takes DNS names, IP addresses and {service} patterns', () => {
    expect(hostsFlag('vault.example.com, 10.0.0.7,::1,easgate-{service}.easgate.svc')).toEqual([
      'vault.example.com',
      '10.0.0.7',
      '::1',
      'easgate-{service}.easgate.svc',
    ]);
  });

  it('answers any text with DNS names or IP addresses only, or a UsageError naming the flag', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          return hostsFlag(text).every((h) => /^[a-z0-9.{}-]+$/i.test(h) || isIP(h) !== 0);
        } catch (err) {
          return err instanceof UsageError && err.message.startsWith('--hosts');
        }
      }),
      { numRuns: 2000 },
    );
    expect(() => hostsFlag('vault example')).toThrow(
      "--hosts: 'vault example' is not a DNS name or an IP address",
    );
    expect(() => hostsFlag(',')).toThrow(/--hosts/);
  });
});
