import { EasgateError } from '@easgate/contracts';
import { ExecutorErrorCode } from '../domain/executor-error';
import { ExchangeError, ExchangeErrorCode } from '../infra/exchange-client';
import { isOutage } from './command-processor';

describe(isOutage.name, () => {
  it('takes the vault unreachable, its signing out and the token endpoint failing for an outage', () => {
    expect(isOutage(new EasgateError(ExecutorErrorCode.VaultUnavailable, 'unreachable', true))).toBe(true);
    expect(isOutage(new ExchangeError(ExchangeErrorCode.AssertionUnavailable, 'vault 503'))).toBe(true);
    expect(isOutage(new ExchangeError(ExchangeErrorCode.TokenThrottled, 'token endpoint 503'))).toBe(true);
    expect(
      isOutage(new ExchangeError(ExchangeErrorCode.Network, 'Token request failed', { stage: 'token' })),
    ).toBe(true);
    expect(isOutage(new ExchangeError(ExchangeErrorCode.Timeout, 'Token request', { stage: 'token' }))).toBe(
      true,
    );
  });

  it("counts the command's own failures and Exchange's answers as attempts", () => {
    expect(isOutage(new ExchangeError(ExchangeErrorCode.Network, 'admin API unreachable'))).toBe(false);
    expect(isOutage(new ExchangeError(ExchangeErrorCode.Unavailable, '503'))).toBe(false);
    expect(isOutage(new ExchangeError(ExchangeErrorCode.AssertionRejected, 'refused'))).toBe(false);
    // The vault answering 4xx is a configuration problem, not an outage.
    expect(isOutage(new EasgateError(ExecutorErrorCode.VaultUnavailable, 'HTTP 403', false))).toBe(false);
    expect(isOutage(new Error('bug'))).toBe(false);
  });
});
