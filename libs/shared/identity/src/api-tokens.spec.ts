import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminTokenCaller, CallerDirectory, generateApiToken, hashApiToken, newCaller } from './api-tokens';
import { IdentityErrorCode } from './identity-error';

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
};

describe(CallerDirectory.name, () => {
  it('refuses an empty or short token instead of accepting every caller', () => {
    expect(thrown(() => adminTokenCaller(''))).toMatchObject({ code: IdentityErrorCode.ApiTokenTooShort });
    expect(thrown(() => adminTokenCaller('short-token'))).toMatchObject({
      code: IdentityErrorCode.ApiTokenTooShort,
    });
    const sut = CallerDirectory.of([adminTokenCaller('a-long-enough-token')]);
    expect(sut.authenticate('')).toBeUndefined();
  });

  it('keeps only the hash of a token and authenticates the caller it belongs to', () => {
    const { record, token } = newCaller({
      id: 'intune',
      kind: 'publisher',
      roles: ['mdm-publisher'],
      tenants: ['t1'],
    });
    expect(JSON.stringify(record)).not.toContain(token);
    expect(record.tokenSha256).toBe(hashApiToken(token));
    const sut = CallerDirectory.of([record]);
    expect(sut.authenticate(token)).toEqual({
      kind: 'publisher',
      id: 'intune',
      roles: ['mdm-publisher'],
      tenants: ['t1'],
    });
    expect(sut.authenticate(generateApiToken())).toBeUndefined();
  });

  it('refuses a revoked caller', () => {
    const { record, token } = newCaller({ id: 'bob', kind: 'user', roles: ['admin'], tenants: '*' });
    const sut = CallerDirectory.of([{ ...record, revokedAt: '2026-01-01T00:00:00Z' }]);
    expect(sut.authenticate(token)).toBeUndefined();
  });

  it('reads the callers file and names no token when the file is invalid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'callers-'));
    const file = join(dir, 'callers.json');
    const { record, token } = newCaller({ id: 'carol', kind: 'user', roles: ['auditor'], tenants: ['t1'] });
    writeFileSync(file, JSON.stringify({ callers: [record] }));
    expect(CallerDirectory.fromFile(file).authenticate(token)?.id).toBe('carol');
    writeFileSync(file, JSON.stringify({ callers: [{ ...record, roles: ['root'] }] }));
    expect(thrown(() => CallerDirectory.fromFile(file))).toMatchObject({
      code: IdentityErrorCode.CallersFileInvalid,
    });
  });
});
