import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identity } from '@easgate/identity';
import { Sessions } from '../src';

const anOperator = (overrides: Partial<Identity> = {}): Identity => ({
  kind: 'user',
  id: 'olga',
  roles: ['operator'],
  tenants: ['contoso'],
  ...overrides,
});

/** Sessions in their SQLite file, with a clock the test moves. */
describe(Sessions.name, () => {
  let dir: string;
  let now: number;
  const open = () =>
    new Sessions(join(dir, 'sessions.sqlite'), { idleMs: 60_000, absoluteMs: 300_000 }, () => now);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'console-sessions-'));
    now = Date.parse('2026-12-01T04:00:00Z');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a session in a new instance over the same file (a restart), with its identity and CSRF token', () => {
    const first = open();
    const session = first.start(anOperator());
    first.close();
    const sut = open();
    expect(sut.find(session.id)).toMatchObject({ identity: anOperator(), csrfToken: session.csrfToken });
    sut.close();
  });

  it('keeps the file private and stores no session id, only its hash', () => {
    const sut = open();
    const session = sut.start(anOperator());
    sut.close();
    const file = join(dir, 'sessions.sqlite');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file).includes(Buffer.from(session.id))).toBe(false);
  });

  it('ends an idle session, slides an active one, and ends every session at the absolute lifetime', () => {
    const sut = open();
    const idle = sut.start(anOperator());
    const active = sut.start(anOperator());
    for (let step = 1; step <= 5; step++) {
      now += 50_000;
      expect(sut.find(active.id)).toBeDefined();
    }
    expect(sut.find(idle.id)).toBeUndefined();
    now += 50_000; // 300 s after the start, 50 s after the last use
    expect(sut.find(active.id)).toBeUndefined();
    sut.close();
  });

  it('revokes a signed-out session and every session of a user', () => {
    const sut = open();
    const signedOut = sut.start(anOperator());
    const other = sut.start(anOperator());
    const someoneElse = sut.start(anOperator({ id: 'ann' }));
    sut.end(signedOut.id);
    expect(sut.find(signedOut.id)).toBeUndefined();
    expect(sut.find(other.id)).toBeDefined();
    expect(sut.endAllOf('OLGA')).toBe(1);
    expect(sut.find(other.id)).toBeUndefined();
    expect(sut.find(someoneElse.id)).toBeDefined();
    sut.close();
  });
});
