import { Throttle } from './throttle';

describe(Throttle.name, () => {
  it('refuses the call past the per-app budget with a Retry-After until the bucket refills', () => {
    let now = 0;
    const sut = new Throttle(
      () => ({ perAppPerSecond: 2, tenantConcurrency: 0 }),
      () => now,
    );
    const first = sut.acquire('t', 'app');
    const second = sut.acquire('t', 'app');
    const third = sut.acquire('t', 'app');
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(third).toEqual({ ok: false, retryAfterSeconds: 0.5, scope: 'app' });
    now = 500;
    expect(sut.acquire('t', 'app').ok).toBe(true);
  });

  it('keeps budgets per app', () => {
    const sut = new Throttle(
      () => ({ perAppPerSecond: 1, tenantConcurrency: 0 }),
      () => 0,
    );
    expect(sut.acquire('t', 'a').ok).toBe(true);
    expect(sut.acquire('t', 'b').ok).toBe(true);
    expect(sut.acquire('t', 'a').ok).toBe(false);
  });

  it('limits concurrent calls per tenant until one is released', () => {
    const sut = new Throttle(
      () => ({ perAppPerSecond: 0, tenantConcurrency: 1 }),
      () => 0,
    );
    const held = sut.acquire('t', 'a');
    expect(sut.acquire('t', 'b')).toMatchObject({ ok: false, scope: 'tenant' });
    if (held.ok) held.release();
    expect(sut.acquire('t', 'b').ok).toBe(true);
  });
});
