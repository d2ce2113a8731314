import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSealingKey, openBytes, sealBytes, SealingError, SealingErrorCode } from './sealed-box';

function codeOf(attempt: () => unknown): string | undefined {
  try {
    attempt();
  } catch (err) {
    return err instanceof SealingError ? err.code : `not a SealingError: ${String(err)}`;
  }
  return undefined;
}

describe(sealBytes.name, () => {
  const key = randomBytes(32);
  const secret = Buffer.from('a webhook secret ünïcode');

  it('opens what it sealed, with the same key and associated data', () => {
    const sealed = sealBytes(key, secret, 'owner-1');

    expect(openBytes(key, sealed, 'owner-1')).toEqual(secret);
    expect(sealed.includes(secret)).toBe(false);
  });

  it('seals the same plaintext differently each time (fresh IV)', () => {
    expect(sealBytes(key, secret, 'o').equals(sealBytes(key, secret, 'o'))).toBe(false);
  });

  it.each([
    ['another owner', (s: Buffer) => openBytes(key, s, 'owner-2')],
    ['another key', (s: Buffer) => openBytes(randomBytes(32), s, 'owner-1')],
    ['a changed byte', (s: Buffer) => openBytes(key, Buffer.from(s).fill(s[30] ^ 1, 30, 31), 'owner-1')],
    ['truncated bytes', (s: Buffer) => openBytes(key, s.subarray(0, 20), 'owner-1')],
  ])('refuses %s with DECRYPTION_FAILED', (_, open) => {
    const sealed = sealBytes(key, secret, 'owner-1');

    expect(codeOf(() => open(sealed))).toBe(SealingErrorCode.DecryptionFailed);
  });
});

describe(loadSealingKey.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sealing-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the key from the value, then from the file', () => {
    const key = randomBytes(32);
    writeFileSync(join(dir, 'key'), `${key.toString('base64')}\n`);

    expect(loadSealingKey({ name: 'K', value: key.toString('base64') })).toEqual({ key, generated: false });
    expect(loadSealingKey({ name: 'K', file: join(dir, 'key') })).toEqual({ key, generated: false });
  });

  it('generates a 0600 key file once, in a directory it creates, and reads the same key after', () => {
    const path = join(dir, 'data', 'k.key');

    const first = loadSealingKey({ name: 'K', generateAt: path });
    const second = loadSealingKey({ name: 'K', generateAt: path });

    expect(first.generated).toBe(true);
    expect(second).toEqual({ key: first.key, generated: false });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')).toEqual(first.key);
  });

  it('refuses a key of the wrong size, naming the setting and not the value', () => {
    const short = randomBytes(16).toString('base64');
    let message = '';
    try {
      loadSealingKey({ name: 'MY_KEY', value: short });
    } catch (err) {
      message = (err as SealingError).message;
      expect((err as SealingError).code).toBe(SealingErrorCode.InvalidKey);
    }

    expect(message).toContain('MY_KEY must be base64 of 32 bytes');
    expect(message).not.toContain(short);
  });

  it('refuses a generated key file that others may read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealing-'));
    const file = join(dir, 'k.key');
    loadSealingKey({ name: 'K', generateAt: file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    chmodSync(file, 0o644);

    expect(codeOf(() => loadSealingKey({ name: 'K', generateAt: file }))).toBe(
      SealingErrorCode.KeyFileTooOpen,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to go on without a key or a place to generate one', () => {
    expect(codeOf(() => loadSealingKey({ name: 'K' }))).toBe(SealingErrorCode.InvalidKey);
  });
});
