import { DeadLetterHeaders, deadLetterOf, deadLetterRecord, replayRecord } from './dead-letter';

describe(deadLetterOf.name, () => {
  const record = { key: 'contoso/ana', value: Buffer.from('{"id":"1"}'), headers: { 'ce-id': '1' } };
  const reason = { code: 'EXO_NOT_FOUND', message: 'x'.repeat(3000), retriable: false, attempts: 2 };

  it('carries the record with the same reason and origin headers as a delivery dead letter, without partition or offset', () => {
    const sut = deadLetterOf(record, { topic: 'in', groupId: 'easgate-x' }, reason);
    const delivered = deadLetterRecord(
      { ...record, topic: 'in', partition: 3, offset: '42', timestamp: '0' },
      'easgate-x',
      reason,
    );

    expect(sut.headers).toEqual({
      ...delivered.headers,
      [DeadLetterHeaders.OriginalPartition]: undefined,
      [DeadLetterHeaders.OriginalOffset]: undefined,
      [DeadLetterHeaders.FailedAt]: sut.headers[DeadLetterHeaders.FailedAt],
    });
    expect(sut.headers[DeadLetterHeaders.OriginalPartition]).toBeUndefined();
    expect(sut.headers[DeadLetterHeaders.Reason]).toHaveLength(2000);
    expect(delivered.headers[DeadLetterHeaders.OriginalOffset]).toBe('42');
  });

  it('replays to the original topic with the original headers', () => {
    const sut = replayRecord(deadLetterOf(record, { topic: 'in', groupId: 'easgate-x' }, reason));

    expect(sut).toEqual({ topic: 'in', record });
  });
});
