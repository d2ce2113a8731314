import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../../..');

/** Stops what the global setup started (and only that). */
export default async function globalTeardown(): Promise<void> {
  const handles = globalThis.__EASGATE_TEST_ENV__;
  if (!handles) return;
  if (handles.stopLocalKafka)
    execFileSync('bash', [join(ROOT, 'tools/kafka/kafka.sh'), 'stop'], { stdio: 'inherit' });
  await Promise.all(handles.containers.map((c) => c.stop()));
}
