import { parseAlertingConfig } from './alerting.config';

describe(parseAlertingConfig.name, () => {
  it('applies the defaults', () => {
    const sut = parseAlertingConfig({});
    expect(sut.damping.resolveHoldMs).toBe(300_000);
    expect(sut.backoff.maxAttempts).toBe(12);
    expect(sut.smtp).toBeUndefined();
  });

  it('lists every bad key and never a value', () => {
    const sut = () =>
      parseAlertingConfig({ ALERTING_RESOLVE_HOLD_SECONDS: 'soon', ALERTING_SMTP_URL: 'not a url p4ssw0rd' });
    expect(sut).toThrow(/ALERTING_RESOLVE_HOLD_SECONDS, ALERTING_SMTP_URL/);
    expect(sut).not.toThrow(/p4ssw0rd/);
  });

  it('takes the webhook-secrets key from one place only', () => {
    expect(parseAlertingConfig({ ALERTING_SECRETS_KEY_FILE: '/run/secrets/k' }).secretsKey).toEqual({
      file: '/run/secrets/k',
    });
    expect(() => parseAlertingConfig({ ALERTING_SECRETS_KEY: 'a', ALERTING_SECRETS_KEY_FILE: 'b' })).toThrow(
      /set only one of ALERTING_SECRETS_KEY, ALERTING_SECRETS_KEY_FILE/,
    );
  });
});
