import { createTopics, testKafka, uniqueName, waitFor } from '@easgate/testing';

// kafkajs 2.2.4 against the pinned Kafka 4.x broker: the APIs easgate relies on all work.
describe('kafkajs against the pinned broker', () => {
  it('produces, consumes in a group, and commits offset + 1', async () => {
    const topic = uniqueName('smoke');
    const groupId = uniqueName('smoke-group');
    await createTopics([topic]);
    const kafka = testKafka();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'k', value: 'one' },
        { key: 'k', value: 'two' },
      ],
    });

    const received: string[] = [];
    const consumer = kafka.consumer({ groupId, sessionTimeout: 6000 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        received.push(message.value!.toString());
        await consumer.commitOffsets([
          { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
      },
    });
    await waitFor('both messages', () => received.length === 2);
    await consumer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    await producer.disconnect();

    expect(received).toEqual(['one', 'two']);
    expect(offsets[0].partitions[0].offset).toBe('2');
  });

  it('commits a transaction with sendOffsets (consume-transform-produce)', async () => {
    const input = uniqueName('tx-in');
    const output = uniqueName('tx-out');
    const groupId = uniqueName('tx-group');
    await createTopics([input, output]);
    const kafka = testKafka();
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: input, messages: [{ key: 'k', value: 'hello' }] });
    await plain.disconnect();

    const producer = kafka.producer({
      transactionalId: uniqueName('txid'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const consumer = kafka.consumer({ groupId, sessionTimeout: 6000 });
    await consumer.connect();
    await consumer.subscribe({ topics: [input], fromBeginning: true });
    let done = false;
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const tx = await producer.transaction();
        await tx.send({
          topic: output,
          messages: [{ key: message.key, value: message.value!.toString().toUpperCase() }],
        });
        await tx.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic, partitions: [{ partition, offset: (BigInt(message.offset) + 1n).toString() }] }],
        });
        await tx.commit();
        done = true;
      },
    });
    await waitFor('the transaction', () => done);
    await consumer.disconnect();
    await producer.disconnect();

    const reader = kafka.consumer({
      groupId: uniqueName('tx-reader'),
      readUncommitted: false,
      sessionTimeout: 6000,
    });
    const out: string[] = [];
    await reader.connect();
    await reader.subscribe({ topics: [output], fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void out.push(message.value!.toString()) });
    await waitFor('the committed output', () => out.length === 1);
    await reader.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [input] });
    await admin.disconnect();
    expect(out).toEqual(['HELLO']);
    expect(offsets[0].partitions[0].offset).toBe('1');
  });
});
