import { type Arrival, CoalescingSchedule, type CoalescingOptions } from './coalescing-schedule';

const STREAM = 'easgate.exchange.command.v1/0';
const T0 = Date.parse('2026-12-01T04:00:00Z');

function aSchedule(overrides: Partial<CoalescingOptions> = {}): CoalescingSchedule {
  return new CoalescingSchedule({ quietMs: 250, maxDelayMs: 1000, ...overrides });
}

/** A command written at `writtenAt` (ms after T0), on the test stream unless told. */
function written(writtenAt: number, stream = STREAM): Arrival {
  return { writtenAt: T0 + writtenAt, stream };
}

describe(CoalescingSchedule.name, () => {
  it('works a mailbox once no command for it has been written for the quiet window', () => {
    const sut = aSchedule();
    sut.arrived('ana', written(0), T0 + 5);
    sut.arrived('ana', written(200), T0 + 205);

    expect(sut.isDue('ana', T0 + 400)).toBe(false);
    expect(sut.isDue('ana', T0 + 455)).toBe(true);
    expect(sut.dueAt('ana', T0 + 205)).toBe(T0 + 455);
  });

  it('works a mailbox whose changes keep trickling in at the maximum delay after its first one', () => {
    const sut = aSchedule();
    for (let t = 0; t <= 1400; t += 200) {
      sut.arrived('ana', written(t), T0 + t);
      if (t < 1000) expect(sut.isDue('ana', T0 + t)).toBe(false);
    }

    expect(sut.dueAt('ana', T0 + 1400)).toBe(T0 + 1000);
    expect(sut.isDue('ana', T0 + 1400)).toBe(true);
  });

  it('holds every mailbox of a burst written at once until the burst has been read, however slowly and in whatever order', () => {
    const sut = aSchedule();
    const mailboxes = ['ana', 'ben', 'cleo', 'dan'];
    // 40 changes written within 40 ms, read over 10 s (a slow consumer), mailboxes interleaved.
    for (let i = 0; i < 40; i++) {
      const now = T0 + 250 * (i + 1);
      sut.arrived(mailboxes[(i * 7) % 4], written(i), now);
      for (const key of mailboxes) if (sut.has(key)) expect(sut.isDue(key, now)).toBe(false);
    }
    const lastRead = T0 + 250 * 40;

    for (const key of mailboxes) expect(sut.isDue(key, lastRead + 200)).toBe(false);
    for (const key of mailboxes) expect(sut.isDue(key, lastRead + 250)).toBe(true);
  });

  it('runs a stream that is no longer read with the wall clock, so a quiet stream holds no mailbox back', () => {
    const sut = aSchedule();
    sut.arrived('ana', written(0), T0 + 30);
    sut.arrived('ben', written(100), T0 + 130);

    expect(sut.dueAt('ana', T0 + 130)).toBe(T0 + 280);
    expect(sut.isDue('ana', T0 + 280)).toBe(true);
  });

  it('keeps the clocks of two streams apart: a backlog on one does not hold the other', () => {
    const sut = aSchedule();
    sut.arrived('ana', written(0, 'p0'), T0 + 10);
    // p1 is read far behind its writers: what was written at T0 is read at T0 + 5 s.
    sut.arrived('ben', written(0, 'p1'), T0 + 5000);
    sut.arrived('cleo', written(1, 'p1'), T0 + 5100);

    expect(sut.isDue('ana', T0 + 260)).toBe(true);
    expect(sut.isDue('ben', T0 + 5200)).toBe(false);
    expect(sut.dueAt('ben', T0 + 5100)).toBe(T0 + 5100 + 249);
  });

  it('holds the mailboxes of a stream while one of its commands is being recorded, however long that takes', () => {
    const sut = aSchedule();
    sut.arrived('ana', written(0), T0);
    // The next command of the stream, written with ana's, takes a second to record (a slow database).
    sut.reading(written(1), T0 + 100);

    expect(sut.isDue('ana', T0 + 1100)).toBe(false);
    sut.arrived('ana', written(1), T0 + 1100);
    expect(sut.isDue('ana', T0 + 1300)).toBe(false);
    expect(sut.dueAt('ana', T0 + 1300)).toBe(T0 + 1350);
  });

  it('lets a stream run on once a command taken from it was given up', () => {
    const sut = aSchedule();
    sut.arrived('ana', written(0), T0);
    sut.reading(written(1), T0 + 100);
    sut.abandoned(written(1), T0 + 150);

    expect(sut.dueAt('ana', T0 + 150)).toBe(T0 + 399);
  });

  it('takes a maximum delay shorter than the quiet window for the quiet window', () => {
    const sut = aSchedule({ quietMs: 500, maxDelayMs: 100 });
    sut.arrived('ana', written(0), T0);

    expect(sut.dueAt('ana', T0)).toBe(T0 + 500);
  });

  it('works a mailbox nudged without a writing time after the delay asked, or sooner if its commands are due', () => {
    const sut = aSchedule();
    sut.nudge('ana', T0, 2000);
    expect(sut.dueAt('ana', T0)).toBe(T0 + 2000);

    sut.arrived('ana', written(0), T0);
    expect(sut.dueAt('ana', T0)).toBe(T0 + 250);
  });

  it('opens a new window for what is read after a pass took the mailbox', () => {
    const sut = aSchedule();
    sut.arrived('ana', written(0), T0);
    sut.take('ana');

    expect(sut.has('ana')).toBe(false);
    expect(sut.dueAt('ana', T0)).toBeUndefined();
    sut.arrived('ana', written(900), T0 + 900);
    expect(sut.dueAt('ana', T0 + 900)).toBe(T0 + 1150);
  });

  it('takes a command stamped after it was read for written when read, so one fast clock does not end coalescing', () => {
    const sut = aSchedule();
    // A writer whose clock runs an hour ahead.
    sut.arrived('ana', written(3_600_000), T0 + 10);
    sut.arrived('ben', written(20), T0 + 30);
    sut.arrived('ben', written(40), T0 + 50);

    expect(sut.isDue('ben', T0 + 60)).toBe(false);
    expect(sut.dueAt('ben', T0 + 60)).toBe(T0 + 300);
    expect(sut.dueAt('ana', T0 + 60)).toBe(T0 + 270);
  });

  it('reads an unreadable writing time as the time of reading', () => {
    const sut = aSchedule();
    sut.arrived('ana', { writtenAt: Number.NaN, stream: STREAM }, T0 + 70);

    expect(sut.dueAt('ana', T0 + 70)).toBe(T0 + 320);
  });
});
