import { signWebhook, verifyWebhook } from './webhook-signature';

describe('verifyWebhook', () => {
  const sut = verifyWebhook;
  const now = new Date('2026-01-01T00:00:00Z');
  const body = '{"alert":1}';

  it('accepts what signWebhook signed with the same secret', () => {
    expect(sut('s3cret-s3cret-s3cret', body, signWebhook('s3cret-s3cret-s3cret', body, now), now)).toBe(true);
  });

  it('rejects another secret, a changed body and an old signature', () => {
    const header = signWebhook('s3cret-s3cret-s3cret', body, now);
    expect(sut('other-secret-other', body, header, now)).toBe(false);
    expect(sut('s3cret-s3cret-s3cret', '{"alert":2}', header, now)).toBe(false);
    expect(sut('s3cret-s3cret-s3cret', body, header, new Date(now.getTime() + 301_000))).toBe(false);
    expect(sut('s3cret-s3cret-s3cret', body, 'garbage', now)).toBe(false);
  });
});
