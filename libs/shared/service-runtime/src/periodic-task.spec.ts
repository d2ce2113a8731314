import type { Logger } from '@easgate/messaging';
import { PeriodicTask } from './periodic-task';

function aLogger(warnings: string[]): Logger {
  return { warn: (_fields: unknown, message: string) => warnings.push(message) } as unknown as Logger;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe(PeriodicTask.name, () => {
  afterEach(() => jest.useRealTimers());

  it('runs the task every interval', async () => {
    jest.useFakeTimers();
    let runs = 0;
    const sut = new PeriodicTask('sweep', 1000, () => Promise.resolve(runs++), aLogger([]));

    sut.start();
    await jest.advanceTimersByTimeAsync(3000);
    await sut.stop();

    expect(runs).toBe(3);
  });

  it('skips a run while the previous one is still going', async () => {
    const gate = deferred();
    let runs = 0;
    const sut = new PeriodicTask(
      'sweep',
      1000,
      () => {
        runs++;
        return gate.promise;
      },
      aLogger([]),
    );

    sut.runOnce();
    sut.runOnce();
    gate.resolve();
    await sut.stop();

    expect(runs).toBe(1);
  });

  it('logs a failed run by name and runs again afterwards', async () => {
    const warnings: string[] = [];
    let runs = 0;
    const sut = new PeriodicTask(
      'alert sweep',
      1000,
      () => (runs++ === 0 ? Promise.reject(new Error('database gone')) : Promise.resolve()),
      aLogger(warnings),
    );

    sut.runOnce();
    await sut.stop();
    sut.runOnce();
    await sut.stop();

    expect(warnings).toEqual(['alert sweep failed']);
    expect(runs).toBe(2);
  });

  it('waits for the run in flight when stopped', async () => {
    const gate = deferred();
    let finished = false;
    const sut = new PeriodicTask(
      'sweep',
      1000,
      () => gate.promise.then(() => (finished = true)),
      aLogger([]),
    );
    sut.runOnce();

    const stopped = sut.stop();
    gate.resolve();
    await stopped;

    expect(finished).toBe(true);
  });
});
