// Run as a child process by outbox.medium-spec: commits a state change and its outbox event, then
// dies with SIGKILL before any relay could publish it.
import { createCloudEvent } from '@easgate/contracts';
import { Database } from '@easgate/persistence';
import { messagingEntities, messagingMigrations, Outbox } from '../../src';

async function main(): Promise<void> {
  const [url, topic, eventId] = process.argv.slice(2) as [string, string, string];
  const db = await Database.open({
    service: 'outbox-test',
    url,
    entities: messagingEntities,
    migrations: messagingMigrations,
  });
  const outbox = new Outbox();
  await db.transaction((tx) =>
    outbox.enqueue(
      tx,
      topic,
      'k',
      createCloudEvent({ id: eventId, source: '//test', type: 'io.easgate.test.committed', data: {} }),
    ),
  );
  process.stdout.write('committed\n');
  process.kill(process.pid, 'SIGKILL');
}

void main();
