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

  it('copies what is published, so later changes by the publisher do not leak in', async () => {
    const sut = new InProcessBus(1);
    const r = record('k', 'v');
    await sut.publisher().publish('t', [r]);
    r.headers.h = 'changed';
    expect(sut.read('t')[0].headers).toEqual({ h: '1' });
  });
});
