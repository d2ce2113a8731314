import { randomBytes, webcrypto } from 'node:crypto';
import { createSelfSignedCertificate, type SelfSignedCertificate } from '@easgate/auth';
import type { Tx } from '@easgate/persistence';
import type { TenantConnection } from '../domain/certificate';
import { EnvelopeCipher, MasterKeyRing, masterKeyFrom } from '../domain/envelope-encryption';
import type { StoredCertificate } from '../infra/certificate.repository';
import { sealCertificate } from './certificate-material';
import { SigningKeyCache, type SigningLookup } from './signing-key-cache';

const aCipher = () => new EnvelopeCipher(new MasterKeyRing(masterKeyFrom(randomBytes(32))));

describe(SigningKeyCache.name, () => {
  let credential: SelfSignedCertificate;

  beforeAll(async () => {
    credential = await createSelfSignedCertificate({ subject: 'CN=cache', password: 'x', now: new Date() });
  });

  afterEach(() => jest.useRealTimers());

  const aStoredCertificate = (cipher: EnvelopeCipher, connectionId = 'conn-1'): StoredCertificate =>
    sealCertificate(cipher, {
      tenantId: 'tenant-1',
      connectionId,
      signing: { privateKey: credential.privateKey, chain: [credential.certificate] },
      facts: credential.facts,
      source: 'created',
      status: 'active',
      now: new Date(),
    });

  const counting = (cipher: EnvelopeCipher) => {
    const opened: Buffer[] = [];
    const open = cipher.openPrivateKey.bind(cipher);
    jest.spyOn(cipher, 'openPrivateKey').mockImplementation((id, sealed) => {
      const buffer = open(id, sealed);
      opened.push(buffer);
      return buffer;
    });
    return opened;
  };

  it('unwraps the active key once and signs with the kept key until the TTL', async () => {
    const cipher = aCipher();
    const opened = counting(cipher);
    const stored = aStoredCertificate(cipher);
    const sources: string[] = [];
    const sut = new SigningKeyCache(cipher, 60_000, (source) => sources.push(source));

    const first = await sut.signerFor(stored, 'RS256', sut.epoch);
    const second = await sut.signerFor(stored, 'RS256', sut.epoch);

    expect(second).toBe(first);
    expect(opened).toHaveLength(1);
    expect(sources).toEqual(['unwrap', 'cache']);
    sut.clear();
  });

  it('keeps the key non-extractable and zeroes the decrypted PKCS#8 once imported', async () => {
    const cipher = aCipher();
    const opened = counting(cipher);
    const sut = new SigningKeyCache(cipher, 60_000);

    const signer = await sut.signerFor(aStoredCertificate(cipher), 'PS256', sut.epoch);

    expect(signer.signingKey.extractable).toBe(false);
    await expect(webcrypto.subtle.exportKey('pkcs8', signer.signingKey)).rejects.toThrow();
    expect(opened[0].every((byte) => byte === 0)).toBe(true);
    sut.clear();
  });

  it('drops the key when the TTL ends, and unwraps again afterwards', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const cipher = aCipher();
    const opened = counting(cipher);
    const stored = aStoredCertificate(cipher);
    const sut = new SigningKeyCache(cipher, 5_000);
    await sut.signerFor(stored, 'RS256', sut.epoch);

    jest.advanceTimersByTime(5_000);

    expect(sut.size).toBe(0);
    await sut.signerFor(stored, 'RS256', sut.epoch);
    expect(opened).toHaveLength(2);
    sut.clear();
  });

  it('unwraps on every signature and keeps nothing with a TTL of 0', async () => {
    const cipher = aCipher();
    const opened = counting(cipher);
    const stored = aStoredCertificate(cipher);
    const sut = new SigningKeyCache(cipher, 0);

    await sut.signerFor(stored, 'RS256', sut.epoch);
    await sut.signerFor(stored, 'RS256', sut.epoch);

    expect(opened).toHaveLength(2);
    expect(sut.size).toBe(0);
  });

  it('drops a connection key at once when evicted', async () => {
    const cipher = aCipher();
    const sut = new SigningKeyCache(cipher, 60_000);
    await sut.signerFor(aStoredCertificate(cipher, 'conn-1'), 'RS256', sut.epoch);
    await sut.signerFor(aStoredCertificate(cipher, 'conn-2'), 'RS256', sut.epoch);

    sut.evict('conn-1');

    expect(sut.size).toBe(1);
    sut.clear();
    expect(sut.size).toBe(0);
  });

  it('does not keep a key read before an eviction (a retirement committed meanwhile)', async () => {
    const cipher = aCipher();
    const sut = new SigningKeyCache(cipher, 60_000);
    const epochOfTheRead = sut.epoch;
    sut.evict('conn-1');

    await sut.signerFor(aStoredCertificate(cipher), 'RS256', epochOfTheRead);

    expect(sut.size).toBe(0);
  });

  it('replaces the kept key when the connection has another active certificate', async () => {
    const cipher = aCipher();
    const opened = counting(cipher);
    const sut = new SigningKeyCache(cipher, 60_000);
    const stored = aStoredCertificate(cipher);
    await sut.signerFor(stored, 'RS256', sut.epoch);

    const rotated = await sut.signerFor(aStoredCertificate(cipher), 'RS256', sut.epoch);

    expect(rotated.certificateId).not.toBe(stored.id);
    expect(opened).toHaveLength(2);
    expect(sut.size).toBe(1);
    sut.clear();
  });

  it('unwraps again once the data key was re-wrapped under a new master key', async () => {
    const oldKey = masterKeyFrom(randomBytes(32));
    const cipher = new EnvelopeCipher(new MasterKeyRing(masterKeyFrom(randomBytes(32)), [oldKey]));
    const opened = counting(cipher);
    const sut = new SigningKeyCache(cipher, 60_000);
    const stored = aStoredCertificate(new EnvelopeCipher(new MasterKeyRing(oldKey)));
    await sut.signerFor(stored, 'RS256', sut.epoch);

    await sut.signerFor({ ...stored, sealed: cipher.rewrap(stored.id, stored.sealed) }, 'RS256', sut.epoch);

    expect(opened).toHaveLength(2);
    sut.clear();
  });

  describe('lookups (the connection and its active certificate)', () => {
    const aConnection = (overrides: Partial<TenantConnection> = {}): TenantConnection => ({
      id: 'conn-1',
      tenantId: 'tenant-1',
      appId: 'app-1',
      organization: 'contoso.onmicrosoft.com',
      cloud: 'O365Default',
      signingAlgorithm: 'RS256',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      ...overrides,
    });

    /** A database read of the connection that answers `current` and counts its calls. */
    const aDatabase = (current: SigningLookup) => {
      const db = { current, reads: 0 };
      const read = () => {
        db.reads += 1;
        return Promise.resolve(db.current);
      };
      return { db, read };
    };

    /** Transactions the test ends by hand, for `afterTransaction`. */
    const transactions = () => {
      const pending = new Map<Tx, (() => void)[]>();
      return {
        afterTransaction: (tx: Tx, callback: () => void) =>
          pending.set(tx, [...(pending.get(tx) ?? []), callback]),
        end: (tx: Tx) => pending.get(tx)?.forEach((callback) => callback()),
      };
    };

    it('reads the connection once and answers from the kept lookup until the lookup TTL', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      const cipher = aCipher();
      const { db, read } = aDatabase({ connection: aConnection(), active: aStoredCertificate(cipher) });
      const sut = new SigningKeyCache(cipher, 60_000, undefined, { lookupTtlMs: 1_000 });

      await sut.lookup('conn-1', sut.epoch, read);
      await sut.lookup('conn-1', sut.epoch, read);
      jest.advanceTimersByTime(1_001);
      await sut.lookup('conn-1', sut.epoch, read);

      expect(db.reads).toBe(2);
      sut.clear();
    });

    it('answers the newly active certificate at the next signature after an activation', async () => {
      const cipher = aCipher();
      const { db, read } = aDatabase({ connection: aConnection(), active: aStoredCertificate(cipher) });
      const { afterTransaction, end } = transactions();
      const sut = new SigningKeyCache(cipher, 60_000, undefined, { lookupTtlMs: 60_000, afterTransaction });
      await sut.lookup('conn-1', sut.epoch, read);
      const next = aStoredCertificate(cipher);

      const tx = {} as Tx;
      db.current = { ...db.current, active: next };
      sut.evict('conn-1', tx);
      end(tx);
      const after = await sut.lookup('conn-1', sut.epoch, read);

      expect(after.active?.id).toBe(next.id);
      const signer = await sut.signerFor(after.active!, 'RS256', sut.epoch);
      expect(signer.certificateId).toBe(next.id);
      sut.clear();
    });

    it('does not keep a lookup read while a change was being committed (evicted again when it ends)', async () => {
      const cipher = aCipher();
      const before = { connection: aConnection(), active: aStoredCertificate(cipher) };
      const { db, read } = aDatabase(before);
      const { afterTransaction, end } = transactions();
      const sut = new SigningKeyCache(cipher, 60_000, undefined, { lookupTtlMs: 60_000, afterTransaction });
      const tx = {} as Tx;
      sut.evict('conn-1', tx); // inside the changing transaction, not committed yet

      const stale = await sut.lookup('conn-1', sut.epoch, read); // reads the state before the commit
      db.current = { ...before, active: aStoredCertificate(cipher) };
      end(tx); // committed
      const fresh = await sut.lookup('conn-1', sut.epoch, read);

      expect(stale.active?.id).toBe(before.active.id);
      expect(fresh.active?.id).toBe(db.current.active?.id);
      expect(db.reads).toBe(2);
      sut.clear();
    });

    it('does not keep a lookup whose read began before an eviction', async () => {
      const cipher = aCipher();
      const { db, read } = aDatabase({ connection: aConnection(), active: aStoredCertificate(cipher) });
      const sut = new SigningKeyCache(cipher, 60_000, undefined, { lookupTtlMs: 60_000 });
      const epochOfTheRead = sut.epoch;
      sut.evict('conn-1');

      await sut.lookup('conn-1', epochOfTheRead, read);

      expect(sut.lookupSize).toBe(0);
      await sut.lookup('conn-1', sut.epoch, read);
      expect(db.reads).toBe(2);
      sut.clear();
    });

    it('answers a changed connection (signing algorithm) at the next signature after its update', async () => {
      const cipher = aCipher();
      const { db, read } = aDatabase({ connection: aConnection(), active: aStoredCertificate(cipher) });
      const sut = new SigningKeyCache(cipher, 60_000, undefined, { lookupTtlMs: 60_000 });
      await sut.lookup('conn-1', sut.epoch, read);

      db.current = { ...db.current, connection: aConnection({ signingAlgorithm: 'PS256' }) };
      sut.evict('conn-1');

      expect((await sut.lookup('conn-1', sut.epoch, read)).connection.signingAlgorithm).toBe('PS256');
      sut.clear();
    });

    it('keeps no lookup of a connection without an active certificate, nor with a lookup TTL of 0', async () => {
      const cipher = aCipher();
      const bare = aDatabase({ connection: aConnection(), active: undefined });
      const withActive = aDatabase({ connection: aConnection(), active: aStoredCertificate(cipher) });
      const kept = new SigningKeyCache(cipher, 60_000, undefined, { lookupTtlMs: 60_000 });
      const off = new SigningKeyCache(cipher, 60_000, undefined, { lookupTtlMs: 0 });

      await kept.lookup('conn-1', kept.epoch, bare.read);
      await kept.lookup('conn-1', kept.epoch, bare.read);
      await off.lookup('conn-1', off.epoch, withActive.read);
      await off.lookup('conn-1', off.epoch, withActive.read);

      expect(bare.db.reads).toBe(2);
      expect(withActive.db.reads).toBe(2);
    });
  });
});
