import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from './in-process-bus';
import type { IncomingMessage } from './message';

const record = (key: string | null, value: string) => ({
  key,
  value: Buffer.from(value),
  headers: { h: '1' },
});
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error('condition not reached');
};

describe(InProcessBus.name, () => {
  it('delivers one key in the order published', async () => {
    const sut = new InProcessBus(4);
    const seen: string[] = [];
    const consumer = await sut.consume(
      { groupId: 'g', topics: ['t'] },
      async (m) => void seen.push(m.value!.toString()),
    );
    await sut.publisher().publish(
      't',
      ['1', '2', '3', '4', '5'].map((v) => record('device-1', v)),
    );
    await until(() => seen.length === 5);
    await consumer.stop();
    expect(seen).toEqual(['1', '2', '3', '4', '5']);
  });

  it('gives every group its own copy and each group every message once', async () => {
    const sut = new InProcessBus(2);
    const a: string[] = [];
    const b: string[] = [];
    await sut.publisher().publish('t', [record('x', '1'), record('y', '2')]);
    const ca = await sut.consume(
      { groupId: 'a', topics: ['t'] },
      async (m) => void a.push(m.value!.toString()),
    );
    const cb = await sut.consume(
      { groupId: 'b', topics: ['t'] },
      async (m) => void b.push(m.value!.toString()),
    );
    await until(() => a.length === 2 && b.length === 2);
    await Promise.all([ca.stop(), cb.stop()]);
    expect(a.sort()).toEqual(['1', '2']);
    expect(b.sort()).toEqual(['1', '2']);
  });

  it('redelivers a message whose sink failed and holds back the ones behind it', async () => {
    const sut = new InProcessBus(1, 5);
    const seen: string[] = [];
    let failures = 2;
    const consumer = await sut.consume({ groupId: 'g', topics: ['t'] }, async (m) => {
      if (m.value!.toString() === 'first' && failures-- > 0) throw new Error('not yet');
      seen.push(m.value!.toString());
    });
    await sut.publisher().publish('t', [record('k', 'first'), record('k', 'second')]);
    await until(() => seen.length === 2);
    await consumer.stop();
    expect(seen).toEqual(['first', 'second']);
  });

  it('resumes a group from its committed offset after its consumer stops', async () => {
    const sut = new InProcessBus(1);
    const seen: IncomingMessage[] = [];
    const first = await sut.consume({ groupId: 'g', topics: ['t'] }, async (m) => void seen.push(m));
    await sut.publisher().publish('t', [record('k', '1')]);
    await until(() => seen.length === 1);
    await first.stop();
    await sut.publisher().publish('t', [record('k', '2')]);
    const second = await sut.consume({ groupId: 'g', topics: ['t'] }, async (m) => void seen.push(m));
    await until(() => seen.length === 2);
    await second.stop();
    expect(seen.map((m) => [m.value!.toString(), m.offset])).toEqual([
      ['1', '0'],
      ['2', '1'],
    ]);
  });

  it('stops a group whose consumers were woken by another group stopping', async () => {
    const sut = new InProcessBus(2);
    const a = await sut.consume({ groupId: 'a', topics: ['t'] }, () => Promise.resolve());
    const b = await sut.consume({ groupId: 'b', topics: ['t'] }, () => Promise.resolve());
    await new Promise((r) => setTimeout(r, 20));
    await a.stop();
    await expect(b.stop()).resolves.toBeUndefined();
  });

  it('copies what is published, so later changes by the publisher do not leak in', async () => {
    const sut = new InProcessBus(1);
    const r = record('k', 'v');
    await sut.publisher().publish('t', [r]);
    r.headers.h = 'changed';
    expect(sut.read('t')[0].headers).toEqual({ h: '1' });
  });
});

describe(`${InProcessBus.name} on a durable log`, () => {
  let dir: string;
  const open: InProcessBus[] = [];
  const durableBus = (options: { partitionsPerTopic?: number; trimEvery?: number } = {}) => {
    const bus = InProcessBus.durable(join(dir, 'bus.sqlite'), { redeliveryDelayMs: 5, ...options });
    open.push(bus);
    return bus;
  };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'easgate-bus-'))));
  afterEach(async () => {
    for (const bus of open.splice(0)) await bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps what was published for a bus opened later on the same file', async () => {
    const first = durableBus();
    await first.publisher().publish('t', [record('k', '1'), record('k', '2')]);
    await first.close();
    const sut = durableBus();
    const seen: string[] = [];
    const consumer = await sut.consume(
      { groupId: 'g', topics: ['t'] },
      async (m) => void seen.push(m.value!.toString()),
    );
    await until(() => seen.length === 2);
    await consumer.stop();
    expect(seen).toEqual(['1', '2']);
  });

  it('resumes each group from its committed offset after a restart, redelivering what was not handled', async () => {
    const first = durableBus({ partitionsPerTopic: 1 });
    const handled: string[] = [];
    const consumer = await first.consume({ groupId: 'g', topics: ['t'] }, async (m) => {
      if (m.value!.toString() === '2') throw new Error('crashed while handling');
      handled.push(m.value!.toString());
    });
    await first.publisher().publish('t', [record('k', '1'), record('k', '2'), record('k', '3')]);
    await until(() => handled.length === 1);
    await consumer.stop();
    await first.close();

    const sut = durableBus({ partitionsPerTopic: 1 });
    const seen: IncomingMessage[] = [];
    const again = await sut.consume({ groupId: 'g', topics: ['t'] }, async (m) => void seen.push(m));
    await until(() => seen.length === 2);
    await again.stop();
    expect(seen.map((m) => [m.value!.toString(), m.offset])).toEqual([
      ['2', '1'],
      ['3', '2'],
    ]);
  });

  it('keeps a topic partitioned as it was created, whatever the next bus is configured with', async () => {
    const first = durableBus({ partitionsPerTopic: 3 });
    await first.publisher().publish('t', [record('device-1', 'a')]);
    const partition = first.read('t')[0].partition;
    await first.close();
    const sut = durableBus({ partitionsPerTopic: 7 });
    await sut.publisher().publish('t', [record('device-1', 'b')]);
    expect(sut.read('t').map((m) => [m.value!.toString(), m.partition, m.offset])).toEqual([
      ['a', partition, '0'],
      ['b', partition, '1'],
    ]);
  });

  it('trims the records every group has passed and keeps the ones a slower group still needs', async () => {
    const sut = durableBus({ partitionsPerTopic: 1, trimEvery: 2 });
    await sut.publisher().publish(
      't',
      ['1', '2', '3', '4', '5'].map((v) => record('k', v)),
    );
    const fast: string[] = [];
    const slow: string[] = [];
    const fastConsumer = await sut.consume(
      { groupId: 'fast', topics: ['t'] },
      async (m) => void fast.push(m.value!.toString()),
    );
    const slowConsumer = await sut.consume({ groupId: 'slow', topics: ['t'] }, async (m) => {
      if (slow.length === 2) throw new Error('stuck');
      slow.push(m.value!.toString());
    });
    await until(() => fast.length === 5 && slow.length === 2);
    await Promise.all([fastConsumer.stop(), slowConsumer.stop()]);
    expect(sut.read('t').map((m) => m.value!.toString())).toEqual(['3', '4', '5']);
  });

  it('continues the offsets of a fully trimmed partition instead of reusing them', async () => {
    const first = durableBus({ partitionsPerTopic: 1, trimEvery: 1 });
    const seen: IncomingMessage[] = [];
    const consumer = await first.consume({ groupId: 'g', topics: ['t'] }, async (m) => void seen.push(m));
    await first.publisher().publish('t', [record('k', '1'), record('k', '2')]);
    await until(() => seen.length === 2);
    await consumer.stop();
    expect(first.read('t')).toEqual([]);
    await first.close();

    const sut = durableBus({ partitionsPerTopic: 1, trimEvery: 1 });
    await sut.publisher().publish('t', [record('k', '3')]);
    const again = await sut.consume({ groupId: 'g', topics: ['t'] }, async (m) => void seen.push(m));
    await until(() => seen.length === 3);
    await again.stop();
    expect(seen.map((m) => [m.value!.toString(), m.offset])).toEqual([
      ['1', '0'],
      ['2', '1'],
      ['3', '2'],
    ]);
  });

  it('starts a new group reading from the end at the end, and remembers that across a restart', async () => {
    const first = durableBus({ partitionsPerTopic: 1 });
    await first.publisher().publish('t', [record('k', 'old')]);
    const consumer = await first.consume({ groupId: 'late', topics: ['t'], fromBeginning: false }, () =>
      Promise.resolve(),
    );
    await consumer.stop();
    await first.publisher().publish('t', [record('k', 'new')]);
    await first.close();

    const sut = durableBus({ partitionsPerTopic: 1 });
    const seen: string[] = [];
    const again = await sut.consume(
      { groupId: 'late', topics: ['t'], fromBeginning: false },
      async (m) => void seen.push(m.value!.toString()),
    );
    await until(() => seen.length === 1);
    await again.stop();
    expect(seen).toEqual(['new']);
  });
});

describe(`${InProcessBus.name} in batches`, () => {
  it('hands the ready records of a partition as one batch, in order, and each once', async () => {
    const sut = new InProcessBus(1);
    await sut.publisher().publish(
      't',
      Array.from({ length: 50 }, (_, i) => record('device-1', String(i))),
    );
    const batches: string[][] = [];
    const consumer = await sut.consumeBatches(
      { groupId: 'g', topics: ['t'], maxBatchSize: 20 },
      async (ms) => void batches.push(ms.map((m) => m.value!.toString())),
    );
    await until(() => batches.flat().length === 50);
    await consumer.stop();
    expect(batches.map((b) => b.length)).toEqual([20, 20, 10]);
    expect(batches.flat()).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('delivers a batch again, whole and in order, when its sink fails', async () => {
    const sut = new InProcessBus(1, 1);
    await sut.publisher().publish(
      't',
      ['a', 'b', 'c'].map((v) => record('k', v)),
    );
    const seen: string[][] = [];
    let failures = 1;
    const consumer = await sut.consumeBatches({ groupId: 'g', topics: ['t'] }, async (ms) => {
      seen.push(ms.map((m) => m.value!.toString()));
      if (failures-- > 0) throw new Error('handler failed');
    });
    await until(() => seen.length === 2);
    await consumer.stop();
    expect(seen).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
  });
});
