import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCloudEvent, deadLetterTopicOf, encodeStructured } from '@easgate/contracts';
import { deadLetterRecord } from '@easgate/messaging';
import { createTopics, testKafka, TopicRecorder, uniqueName, waitFor } from '@easgate/testing';

const ROOT = join(__dirname, '../../..');
const easgate = (...args: string[]) =>
  promisify(execFile)(process.execPath, [join(ROOT, 'tools/bin/easgate.js'), ...args], {
    cwd: ROOT,
    env: process.env,
  });

describe('easgate dlq', () => {
  it('lists a dead letter with its reason and replays it to its topic once', async () => {
    const topic = uniqueName('test.dlq-cli');
    await createTopics([topic, deadLetterTopicOf(topic)]);
    const event = createCloudEvent({ source: '//test', type: 'io.easgate.test', data: { n: 1 } });
    const original = encodeStructured(event, 'device-9');
    const dead = deadLetterRecord(
      { ...original, topic, partition: 0, offset: '41', timestamp: '0' },
      'easgate-test',
      {
        code: 'EXCHANGE_UNAVAILABLE',
        message: 'Exchange answered 503 five times',
        retriable: true,
        attempts: 5,
      },
    );
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
      topic: deadLetterTopicOf(topic),
      messages: [{ key: dead.key, value: dead.value, headers: dead.headers }],
    });
    await producer.disconnect();
    const recorder = await TopicRecorder.start([topic]);
    try {
      const listed = await easgate('dlq', 'list', '--topic', topic, '--json');
      expect(JSON.parse(listed.stdout.trim())).toMatchObject({
        originalTopic: topic,
        key: 'device-9',
        code: 'EXCHANGE_UNAVAILABLE',
        reason: 'Exchange answered 503 five times',
        attempts: 5,
        replayed: false,
      });

      const first = await easgate('dlq', 'replay', '--topic', topic);
      expect(first.stdout).toContain('replayed 1 dead letter(s)');
      const second = await easgate('dlq', 'replay', '--topic', topic);
      expect(second.stdout).toContain('replayed 0 dead letter(s)');

      const replayed = await waitFor('the replayed record', () => recorder.on(topic)[0]);
      expect(replayed.key).toBe('device-9');
      expect(replayed.value).toEqual(original.value);
      // The replay names the dead letter it came from; the dead-letter headers are gone.
      expect(replayed.headers).toEqual({
        ...original.headers,
        'x-easgate-replay-of': `${deadLetterTopicOf(topic)}:0:0`,
      });
      expect(recorder.on(topic)).toHaveLength(1);
    } finally {
      await recorder.stop();
    }
  });
});
