import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

export class KafkaSecurityConfigError extends Error {
  readonly code = 'KAFKA_SECURITY_CONFIG_INVALID';
}

const MECHANISMS = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;

/**
 * TLS and SASL for the Kafka clients, from the environment:
 *   KAFKA_SSL=true, KAFKA_SSL_CA_FILE (PEM), KAFKA_SSL_CERT_FILE + KAFKA_SSL_KEY_FILE (client certificate);
 *   KAFKA_SASL_MECHANISM=scram-sha-256|scram-sha-512|plain, KAFKA_SASL_USERNAME,
 *   KAFKA_SASL_PASSWORD_FILE (or KAFKA_SASL_PASSWORD). PLAIN is refused without TLS.
 * A bad configuration throws naming every bad KEY, never a value.
 */
export function kafkaSecurityFromEnv(env: NodeJS.ProcessEnv): Partial<KafkaConfig> {
  const bad: string[] = [];
  const file = (key: string): string | undefined => {
    const path = env[key];
    if (!path) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch {
      bad.push(key);
      return undefined;
    }
  };
  const sslFlag = env['KAFKA_SSL']?.toLowerCase();
  if (sslFlag !== undefined && sslFlag !== 'true' && sslFlag !== 'false') bad.push('KAFKA_SSL');
  const ssl = sslFlag === 'true';
  const ca = file('KAFKA_SSL_CA_FILE');
  const cert = file('KAFKA_SSL_CERT_FILE');
  const key = file('KAFKA_SSL_KEY_FILE');
  if ((cert === undefined) !== (key === undefined))
    bad.push(cert === undefined ? 'KAFKA_SSL_CERT_FILE' : 'KAFKA_SSL_KEY_FILE');
  if (!ssl && (ca !== undefined || cert !== undefined)) bad.push('KAFKA_SSL');

  let sasl: SASLOptions | undefined;
  const mechanism = env['KAFKA_SASL_MECHANISM']?.toLowerCase();
  if (mechanism !== undefined) {
    const username = env['KAFKA_SASL_USERNAME'];
    const password = file('KAFKA_SASL_PASSWORD_FILE')?.trim() ?? env['KAFKA_SASL_PASSWORD'];
    if (!(MECHANISMS as readonly string[]).includes(mechanism)) bad.push('KAFKA_SASL_MECHANISM');
    else if (mechanism === 'plain' && !ssl) bad.push('KAFKA_SASL_MECHANISM');
    if (!username) bad.push('KAFKA_SASL_USERNAME');
    if (!password) bad.push('KAFKA_SASL_PASSWORD_FILE');
    if (username && password)
      sasl = { mechanism: mechanism as (typeof MECHANISMS)[number], username, password };
  }
  if (bad.length > 0)
    throw new KafkaSecurityConfigError(
      `Kafka security configuration is invalid: ${[...new Set(bad)].join(', ')}`,
    );
  return {
    ...(ssl && {
      ssl: {
        rejectUnauthorized: true,
        ...(ca !== undefined && { ca: [ca] }),
        ...(cert !== undefined && key !== undefined && { cert, key }),
      },
    }),
    ...(sasl !== undefined && { sasl }),
  };
}
