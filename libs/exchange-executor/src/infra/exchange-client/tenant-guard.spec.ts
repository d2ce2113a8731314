import { ExchangeError, ExchangeErrorCode } from './exchange-error';
import { type Clock, TenantGuard } from './tenant-guard';

class FakeClock implements Clock {
  t = 0;
  slept: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.t += ms;
  }
}

const failing = () => Promise.reject(new ExchangeError(ExchangeErrorCode.Unavailable, 'down'));
const always = () => true;

describe(TenantGuard.name, () => {
  it('opens the circuit after consecutive failures and fails fast', async () => {
    const clock = new FakeClock();
    const sut = new TenantGuard(
      { maxConcurrency: 2, ratePerSecond: 0, burst: 1, failureThreshold: 2, openMs: 1000 },
      clock,
    );
    await expect(sut.run(failing, always)).rejects.toThrow('down');
    await expect(sut.run(failing, always)).rejects.toThrow('down');
    await expect(sut.run(() => Promise.resolve(1), always)).rejects.toMatchObject({
      code: ExchangeErrorCode.CircuitOpen,
    });
    expect(sut.circuit).toBe('open');
  });

  it('lets one probe through after the open period and closes on its success', async () => {
    const clock = new FakeClock();
    const sut = new TenantGuard(
      { maxConcurrency: 2, ratePerSecond: 0, burst: 1, failureThreshold: 1, openMs: 1000 },
      clock,
    );
    await expect(sut.run(failing, always)).rejects.toThrow('down');
    clock.t += 1000;
    expect(sut.circuit).toBe('half-open');
    await expect(sut.run(() => Promise.resolve('ok'), always)).resolves.toBe('ok');
    expect(sut.circuit).toBe('closed');
  });

  it('announces each circuit change once: open, half-open, open again, closed', async () => {
    const clock = new FakeClock();
    const changes: string[] = [];
    const sut = new TenantGuard(
      { maxConcurrency: 2, ratePerSecond: 0, burst: 1, failureThreshold: 2, openMs: 1000 },
      clock,
      (state) => changes.push(state),
    );
    for (let i = 0; i < 3; i++) await expect(sut.run(failing, always)).rejects.toBeDefined();
    clock.t += 1000;
    await expect(sut.run(failing, always)).rejects.toThrow('down');
    clock.t += 1000;
    await sut.run(() => Promise.resolve('ok'), always);
    await sut.run(() => Promise.resolve('ok'), always);
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('spends the rate budget and then waits for refill', async () => {
    const clock = new FakeClock();
    const sut = new TenantGuard(
      { maxConcurrency: 4, ratePerSecond: 10, burst: 2, failureThreshold: 5, openMs: 1000 },
      clock,
    );
    for (let i = 0; i < 3; i++) await sut.run(() => Promise.resolve(i), always);
    expect(clock.slept).toEqual([100]);
  });

  it('holds every caller until a shared Retry-After pause ends', async () => {
    const clock = new FakeClock();
    const sut = new TenantGuard(
      { maxConcurrency: 4, ratePerSecond: 0, burst: 1, failureThreshold: 5, openMs: 1000 },
      clock,
    );
    sut.pauseUntil(1500);
    await sut.run(() => Promise.resolve(1), always);
    expect(clock.slept).toEqual([1500]);
  });

  it('never runs more than maxConcurrency requests at once', async () => {
    const sut = new TenantGuard(
      { maxConcurrency: 2, ratePerSecond: 0, burst: 1, failureThreshold: 5, openMs: 1000 },
      new FakeClock(),
    );
    let running = 0;
    let peak = 0;
    const work = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running--;
    };
    await Promise.all(Array.from({ length: 6 }, () => sut.run(work, always)));
    expect(peak).toBe(2);
  });
});
