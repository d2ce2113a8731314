import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@easgate/testing';
import { type IncomingMessage, InProcessBus } from '../src';

const ROOT = join(__dirname, '../../../..');

/** Runs the child scenario, which ends by killing itself; returns what it printed. */
async function runUntilKilled(file: string, scenario: 'publish' | 'handle'): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    join(ROOT, 'tools/bin/run-ts.js'),
    join(__dirname, 'support/durable-bus-then-die.ts'),
    file,
    scenario,
  ]).then(
    () => {
      throw new Error('the child was expected to die by SIGKILL');
    },
    (err: { stdout: string; signal: string | null; stderr: string }) => {
      if (err.signal !== 'SIGKILL') throw new Error(`the child failed: ${err.stderr}`);
      return { stdout: err.stdout };
    },
  );
  return stdout;
}

describe(`${InProcessBus.name} (durable) across a SIGKILL`, () => {
  let dir: string;
  let sut: InProcessBus | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'easgate-durable-bus-'))));
  afterEach(async () => {
    await sut?.close();
    sut = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every record of a publish that resolved just before the process was killed', async () => {
    const file = join(dir, 'bus.sqlite');
    expect(await runUntilKilled(file, 'publish')).toContain('published');

    sut = InProcessBus.durable(file);
    expect(sut.read('accepted').map((m) => m.value!.toString())).toEqual(
      Array.from({ length: 50 }, (_, i) => `event-${i}`),
    );
  });

  it('delivers again, after a restart, the message being handled when the process was killed and the ones behind it', async () => {
    const file = join(dir, 'bus.sqlite');
    const printed = await runUntilKilled(file, 'handle');
    expect(printed.trim().split('\n')).toEqual(
      ['job-0', 'job-1', 'job-2', 'job-3'].map((j) => `handled ${j}`),
    );

    // At least once: offsets are written in groups, so what was handled since the last one comes
    // again too (inboxes drop it); the job in hand and everything behind it always does, in order.
    sut = InProcessBus.durable(file);
    const seen: IncomingMessage[] = [];
    const consumer = await sut.consume(
      { groupId: 'worker', topics: ['work'] },
      async (m) => void seen.push(m),
    );
    await waitFor('the jobs up to the last', () => seen.at(-1)?.value?.toString() === 'job-9');
    await consumer.stop();
    const jobs = seen.map((m) => m.value!.toString());
    expect(jobs.slice(-6)).toEqual(['job-4', 'job-5', 'job-6', 'job-7', 'job-8', 'job-9']);
    expect(jobs).toEqual(Array.from({ length: jobs.length }, (_, i) => `job-${10 - jobs.length + i}`));
  });
});
