// Run as a child process by durable-bus.medium-spec: works on a durable in-process bus, then dies
// with SIGKILL — right after a publish resolved, or in the middle of handling a message.
import { InProcessBus } from '../../src';

const record = (value: string) => ({ key: 'device-1', value: Buffer.from(value), headers: {} });

async function main(): Promise<void> {
  const [file, scenario] = process.argv.slice(2) as [string, 'publish' | 'handle'];
  const bus = InProcessBus.durable(file, { partitionsPerTopic: 2 });
  if (scenario === 'publish') {
    await bus.publisher().publish(
      'accepted',
      Array.from({ length: 50 }, (_, i) => record(`event-${i}`)),
    );
    process.stdout.write('published\n');
    process.kill(process.pid, 'SIGKILL');
    return;
  }
  await bus.publisher().publish(
    'work',
    Array.from({ length: 10 }, (_, i) => record(`job-${i}`)),
  );
  await bus.consume({ groupId: 'worker', topics: ['work'] }, async (message) => {
    const value = message.value!.toString();
    if (value === 'job-4') process.kill(process.pid, 'SIGKILL');
    process.stdout.write(`handled ${value}\n`);
    return Promise.resolve();
  });
}

void main();
