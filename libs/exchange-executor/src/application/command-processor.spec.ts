import { EasgateError } from '@easgate/contracts';
import { ExecutorErrorCode } from '../domain/executor-error';
import { ExchangeError, ExchangeErrorCode } from '../infra/exchange-client';
import type { CommandLogRepository } from '../infra/persistence/command-log.repository';
import type { MailboxLeases } from '../infra/persistence/mailbox-lease.repository';
import { CommandProcessor, type CommandProcessorOptions, isOutage } from './command-processor';

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

describe(CommandProcessor.name, () => {
  const T0 = Date.parse('2026-12-01T04:00:00Z');
  const STREAM = 'easgate.exchange.command.v1/0';

  /** A processor over fakes whose passes find nothing pending: `passes` counts them per mailbox. */
  function aProcessor(options: Partial<CommandProcessorOptions> = {}) {
    const passes = new Map<string, number>();
    const log = {
      pendingFor: (key: string) => {
        passes.set(key, (passes.get(key) ?? 0) + 1);
        return Promise.resolve([]);
      },
    } as unknown as CommandLogRepository;
    const leases: MailboxLeases = {
      shared: false,
      claim: () => Promise.resolve(true),
      releaseIfIdle: () => Promise.resolve(true),
      renew: () => Promise.resolve([]),
      release: () => Promise.resolve(),
      claimablePendingKeys: () => Promise.resolve([]),
    };
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const sut = new CommandProcessor(
      {} as never,
      log,
      leases,
      {} as never,
      {} as never,
      {} as never,
      { forget: () => Promise.resolve() },
      logger as never,
      {
        batchWindowMs: 250,
        maxBatchDelayMs: 1000,
        maxAttempts: 5,
        retryBaseMs: 100,
        parallelMailboxes: 4,
        ...options,
      },
    );
    return { sut, passes };
  }

  /** Reads one command for `key` written at T0 + `writtenAt`. */
  const read = (sut: CommandProcessor, key: string, writtenAt: number) =>
    sut.intake([{ key, arrival: { writtenAt: T0 + writtenAt, stream: STREAM } }], () => Promise.resolve());

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('works a mailbox once, a window after its last command, when its commands come close together', async () => {
    const { sut, passes } = aProcessor();
    await read(sut, 'ana', 0);
    await jest.advanceTimersByTimeAsync(200);
    await read(sut, 'ana', 200);
    await jest.advanceTimersByTimeAsync(200);
    expect(passes.get('ana')).toBeUndefined();

    await jest.advanceTimersByTimeAsync(100);
    expect(passes.get('ana')).toBe(1);
    await jest.advanceTimersByTimeAsync(5000);
    expect(passes.get('ana')).toBe(1);
    await sut.stop();
  });

  it('works each mailbox of a burst once after the burst is read, though reading it takes many windows', async () => {
    const { sut, passes } = aProcessor();
    const mailboxes = ['ana', 'ben', 'cleo'];
    // 30 changes written within 30 ms, read one every 100 ms (3 s, twelve windows), interleaved.
    for (let i = 0; i < 30; i++) {
      await read(sut, mailboxes[i % 3], i);
      await jest.advanceTimersByTimeAsync(100);
    }
    expect([...passes.values()]).toEqual([]);

    await jest.advanceTimersByTimeAsync(300);
    expect(mailboxes.map((m) => passes.get(m))).toEqual([1, 1, 1]);
    await sut.stop();
  });

  it('still works a mailbox that keeps receiving changes, at the maximum delay', async () => {
    const { sut, passes } = aProcessor();
    // A change every 200 ms for 3 s, each read as it is written: never quiet for 250 ms.
    for (let t = 0; t < 3000; t += 200) {
      await read(sut, 'ana', t);
      await jest.advanceTimersByTimeAsync(200);
    }

    expect(passes.get('ana')).toBeGreaterThanOrEqual(2);
    expect(passes.get('ana')).toBeLessThanOrEqual(3);
    await sut.stop();
  });
});
