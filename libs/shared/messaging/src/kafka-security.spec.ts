import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaSecurityFromEnv, KafkaSecurityConfigError } from './kafka-security';

describe(kafkaSecurityFromEnv.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
  const ca = join(dir, 'ca.pem');
  const password = join(dir, 'password');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  writeFileSync(password, 's3cret-scram-password\n');

  it('is plaintext without settings', () => {
    expect(kafkaSecurityFromEnv({})).toEqual({});
  });

  it('builds TLS with the CA and SCRAM with the password from its file', () => {
    expect(
      kafkaSecurityFromEnv({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: ca,
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'policy-translator',
        KAFKA_SASL_PASSWORD_FILE: password,
      }),
    ).toEqual({
      ssl: { rejectUnauthorized: true, ca: [expect.stringContaining('BEGIN CERTIFICATE')] },
      sasl: { mechanism: 'scram-sha-512', username: 'policy-translator', password: 's3cret-scram-password' },
    });
  });

  it('names every bad key and never a secret', () => {
    let error: unknown;
    try {
      kafkaSecurityFromEnv({
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_PASSWORD: 'hunter2',
        KAFKA_SSL_CA_FILE: join(dir, 'missing.pem'),
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KafkaSecurityConfigError);
    const message = (error as Error).message;
    expect(message).toContain('KAFKA_SASL_MECHANISM');
    expect(message).toContain('KAFKA_SASL_USERNAME');
    expect(message).toContain('KAFKA_SSL_CA_FILE');
    expect(message).not.toContain('hunter2');
  });
});
