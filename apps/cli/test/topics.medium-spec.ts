import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { topicSpecs } from '@easgate/contracts';
import { testBrokers } from '@easgate/testing';

const ROOT = join(__dirname, '../../..');
const easgate = (...args: string[]) =>
  promisify(execFile)(process.execPath, [join(ROOT, 'tools/bin/easgate.js'), ...args], { cwd: ROOT });

describe('easgate topics', () => {
  it('applies the catalogue idempotently and lists every topic beside what the broker holds', async () => {
    const brokers = testBrokers().join(',');
    const applied = await easgate('topics', 'apply', '--brokers', brokers);
    expect(applied.stdout).toMatch(/\d+ created, \d+ already there/);

    // The dry run lists the catalogue beside the broker, as `topics list` does.
    const { stdout } = await easgate('topics', 'apply', '--brokers', brokers, '--dry-run');
    expect(stdout).toContain(`dry run: 0 of ${topicSpecs().length} topics would be created`);
    for (const spec of topicSpecs())
      expect(stdout).toMatch(new RegExp(`^${spec.name.replace(/\./g, '\\.')} +\\d+ partitions`, 'm'));
  });
});
