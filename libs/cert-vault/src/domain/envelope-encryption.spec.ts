import { randomBytes } from 'node:crypto';
import { EnvelopeCipher, MasterKeyRing, masterKeyFrom } from './envelope-encryption';
import { VaultErrorCode } from './vault-error';

const aMasterKey = () => masterKeyFrom(randomBytes(32));
const someSecrets = () => ({
  privateKeyPkcs8: Buffer.from('-----BEGIN PRIVATE KEY-----secret-der'),
  password: 'pässwörd',
});

describe(EnvelopeCipher.name, () => {
  it('round-trips the private key and the password', () => {
    const sut = new EnvelopeCipher(new MasterKeyRing(aMasterKey()));
    const secrets = someSecrets();

    const opened = sut.open('cert-1', sut.seal('cert-1', secrets));

    expect(opened.privateKeyPkcs8.equals(secrets.privateKeyPkcs8)).toBe(true);
    expect(opened.password).toBe(secrets.password);
  });

  it('stores neither the key nor the password in clear', () => {
    const sut = new EnvelopeCipher(new MasterKeyRing(aMasterKey()));
    const sealed = sut.seal('cert-1', someSecrets());

    const stored = Buffer.concat([sealed.wrappedDataKey, sealed.privateKey, sealed.password!]);

    expect(stored.includes(Buffer.from('PRIVATE KEY'))).toBe(false);
    expect(stored.includes(Buffer.from('pässwörd'))).toBe(false);
  });

  it('refuses a sealed value moved to another certificate', () => {
    const sut = new EnvelopeCipher(new MasterKeyRing(aMasterKey()));
    const sealed = sut.seal('cert-1', someSecrets());

    expect(() => sut.open('cert-2', sealed)).toThrow(
      expect.objectContaining({ code: VaultErrorCode.DecryptionFailed }) as Error,
    );
  });

  it('detects a changed ciphertext', () => {
    const sut = new EnvelopeCipher(new MasterKeyRing(aMasterKey()));
    const sealed = sut.seal('cert-1', someSecrets());
    const tampered = Buffer.from(sealed.privateKey);
    tampered[tampered.length - 1] ^= 1;

    expect(() => sut.open('cert-1', { ...sealed, privateKey: tampered })).toThrow(
      expect.objectContaining({ code: VaultErrorCode.DecryptionFailed }) as Error,
    );
  });

  it('opens data keys of the previous master key during rotation and re-wraps them under the new one', () => {
    const oldKey = aMasterKey();
    const newKey = aMasterKey();
    const sealedUnderOld = new EnvelopeCipher(new MasterKeyRing(oldKey)).seal('cert-1', someSecrets());
    const sut = new EnvelopeCipher(new MasterKeyRing(newKey, [oldKey]));

    expect(sut.needsRewrap(sealedUnderOld)).toBe(true);
    const rewrapped = sut.rewrap('cert-1', sealedUnderOld);

    expect(rewrapped.masterKeyId).toBe(newKey.id);
    expect(sut.needsRewrap(rewrapped)).toBe(false);
    const onlyNew = new EnvelopeCipher(new MasterKeyRing(newKey));
    expect(onlyNew.open('cert-1', rewrapped).password).toBe('pässwörd');
  });

  it('names the missing master key when a data key was wrapped by an unknown one', () => {
    const sealed = new EnvelopeCipher(new MasterKeyRing(aMasterKey())).seal('cert-1', someSecrets());
    const sut = new EnvelopeCipher(new MasterKeyRing(aMasterKey()));

    expect(() => sut.open('cert-1', sealed)).toThrow(
      expect.objectContaining({ code: VaultErrorCode.MasterKeyUnknown }) as Error,
    );
  });

  it('derives a stable key id that does not contain the key', () => {
    const bytes = randomBytes(32);
    const sut = masterKeyFrom(bytes);

    expect(masterKeyFrom(bytes).id).toBe(sut.id);
    expect(sut.id).not.toContain(bytes.toString('base64'));
    expect(() => masterKeyFrom(randomBytes(16))).toThrow(RangeError);
  });
});
