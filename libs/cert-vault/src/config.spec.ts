import { CertVaultConfigError, parseCertVaultConfig } from './config';

describe('parseCertVaultConfig', () => {
  it('reads defaults when nothing is set', () => {
    const sut = parseCertVaultConfig({});

    expect(sut).toMatchObject({
      expiryScanIntervalMs: 3_600_000,
      expiryScannerEnabled: true,
      rotationOverlapHours: 168,
      extraCaFiles: [],
      signingKeyCacheMs: 60_000,
    });
  });

  it('keeps signing keys for VAULT_SIGNING_KEY_CACHE_MS, 0 turning the cache off, and refuses a negative TTL', () => {
    expect(parseCertVaultConfig({ VAULT_SIGNING_KEY_CACHE_MS: '0' }).signingKeyCacheMs).toBe(0);
    expect(parseCertVaultConfig({ VAULT_SIGNING_KEY_CACHE_MS: '5000' }).signingKeyCacheMs).toBe(5_000);
    expect(() => parseCertVaultConfig({ VAULT_SIGNING_KEY_CACHE_MS: '-1' })).toThrow(
      /VAULT_SIGNING_KEY_CACHE_MS/,
    );
  });

  it('lists every bad key and never a value', () => {
    const secret = 'c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw==';

    const attempt = () =>
      parseCertVaultConfig({
        VAULT_EXPIRY_SCAN_INTERVAL_SECONDS: 'soon',
        VAULT_GRAPH_URL: `http://${secret}`,
      });

    expect(attempt).toThrow(CertVaultConfigError);
    expect(attempt).toThrow(/VAULT_EXPIRY_SCAN_INTERVAL_SECONDS, VAULT_GRAPH_URL/);
    expect(attempt).not.toThrow(new RegExp(secret));
  });

  it('refuses both a master key and a master key file', () => {
    expect(() =>
      parseCertVaultConfig({ VAULT_MASTER_KEY: 'x', VAULT_MASTER_KEY_FILE: '/run/secrets/key' }),
    ).toThrow(/only one of VAULT_MASTER_KEY, VAULT_MASTER_KEY_FILE/);
  });

  it('trusts both VAULT_EXTRA_CA_FILE and NODE_EXTRA_CA_CERTS', () => {
    expect(
      parseCertVaultConfig({ VAULT_EXTRA_CA_FILE: '/a.pem', NODE_EXTRA_CA_CERTS: '/b.pem' }).extraCaFiles,
    ).toEqual(['/a.pem', '/b.pem']);
  });
});
