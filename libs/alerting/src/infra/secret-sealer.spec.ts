import { randomBytes } from 'node:crypto';
import { AlertingErrorCode } from '../domain/errors';
import { SecretSealer } from './secret-sealer';

function codeOf(attempt: () => unknown): string | undefined {
  try {
    attempt();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe(SecretSealer.name, () => {
  const sut = new SecretSealer(randomBytes(32));

  it('stores a webhook secret as ciphertext that opens for its own subscription', () => {
    const sealed = sut.seal('sub-1', 'a-long-shared-secret-value');

    expect(sealed).toMatch(/^aes256gcm:/);
    expect(sealed).not.toContain('a-long-shared-secret-value');
    expect(sut.open('sub-1', sealed)).toBe('a-long-shared-secret-value');
  });

  it('does not open a sealed secret copied to another subscription', () => {
    const sealed = sut.seal('sub-1', 'a-long-shared-secret-value');

    expect(codeOf(() => sut.open('sub-2', sealed))).toBe(AlertingErrorCode.SecretUnreadable);
  });

  it('says the key changed when another key sealed it', () => {
    const sealed = new SecretSealer(randomBytes(32)).seal('sub-1', 'a-long-shared-secret-value');

    expect(() => sut.open('sub-1', sealed)).toThrow(/ALERTING_SECRETS_KEY changed/);
  });

  it.each([
    ['plain text', 'plain'],
    ['nothing', undefined],
  ])('refuses %s, asking to re-create', (_, stored) => {
    expect(codeOf(() => sut.open('sub-1', stored))).toBe(AlertingErrorCode.SecretUnreadable);
    expect(() => sut.open('sub-1', stored)).toThrow(/re-create the subscription/);
  });
});
