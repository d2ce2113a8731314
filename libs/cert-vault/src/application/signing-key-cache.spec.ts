import { randomBytes, webcrypto } from 'node:crypto';
import { createSelfSignedCertificate, type SelfSignedCertificate } from '@easgate/auth';
import { EnvelopeCipher, MasterKeyRing, masterKeyFrom } from '../domain/envelope-encryption';
import type { StoredCertificate } from '../infra/certificate.repository';
import { sealCertificate } from './certificate-material';
import { SigningKeyCache } from './signing-key-cache';

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
});
