import { readFileSync } from 'node:fs';
import type { KafkaConfig, OauthbearerProviderResponse, SASLOptions } from 'kafkajs';

export class KafkaSecurityConfigError extends Error {
  readonly code = 'KAFKA_SECURITY_CONFIG_INVALID';
}

/** The token endpoint refused or did not answer; the message names the endpoint's host, never the secret. */
export class KafkaOauthTokenError extends Error {
  readonly code = 'KAFKA_OAUTH_TOKEN_FAILED';
  readonly retriable = true;
}

const PASSWORD_MECHANISMS = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;

/**
 * TLS and SASL for the Kafka clients, from the environment:
 *   KAFKA_SSL=true, KAFKA_SSL_CA_FILE (PEM), KAFKA_SSL_CERT_FILE + KAFKA_SSL_KEY_FILE (client certificate);
 *   KAFKA_SASL_MECHANISM=scram-sha-256|scram-sha-512|plain, KAFKA_SASL_USERNAME,
 *   KAFKA_SASL_PASSWORD_FILE (or KAFKA_SASL_PASSWORD). PLAIN is refused without TLS.
 *   KAFKA_SASL_MECHANISM=oauthbearer (TLS required): KAFKA_OAUTH_TOKEN_ENDPOINT (https; http only on
 *   loopback), KAFKA_OAUTH_CLIENT_ID, KAFKA_OAUTH_CLIENT_SECRET_FILE, optional KAFKA_OAUTH_SCOPE and
 *   KAFKA_OAUTH_CLIENT_AUTH=basic|post (default basic): a token by client credentials, cached until a
 *   minute before it expires.
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
  if (mechanism === 'oauthbearer') {
    if (!ssl) bad.push('KAFKA_SSL');
    const settings = oauthSettings(env, file, bad);
    if (settings) sasl = { mechanism: 'oauthbearer', oauthBearerProvider: oauthBearerProvider(settings) };
  } else if (mechanism !== undefined) {
    const username = env['KAFKA_SASL_USERNAME'];
    const password = file('KAFKA_SASL_PASSWORD_FILE')?.trim() ?? env['KAFKA_SASL_PASSWORD'];
    if (!(PASSWORD_MECHANISMS as readonly string[]).includes(mechanism)) bad.push('KAFKA_SASL_MECHANISM');
    else if (mechanism === 'plain' && !ssl) bad.push('KAFKA_SASL_MECHANISM');
    if (!username) bad.push('KAFKA_SASL_USERNAME');
    if (!password) bad.push('KAFKA_SASL_PASSWORD_FILE');
    if (username && password)
      sasl = { mechanism: mechanism as (typeof PASSWORD_MECHANISMS)[number], username, password };
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

export interface OauthClientCredentials {
  readonly tokenEndpoint: URL;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
  /** `basic`: HTTP Basic (RFC 6749 §2.3.1, what Kafka's own login handler sends); `post`: in the form. */
  readonly clientAuth: 'basic' | 'post';
  readonly timeoutMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** A token is fetched again this long before it expires (or at half its lifetime when shorter). */
const REFRESH_MARGIN_MS = 60_000;

function oauthSettings(
  env: NodeJS.ProcessEnv,
  file: (key: string) => string | undefined,
  bad: string[],
): OauthClientCredentials | undefined {
  let tokenEndpoint: URL | undefined;
  try {
    tokenEndpoint = new URL(env['KAFKA_OAUTH_TOKEN_ENDPOINT'] ?? '');
    const https = tokenEndpoint.protocol === 'https:';
    const loopbackHttp = tokenEndpoint.protocol === 'http:' && LOOPBACK.has(tokenEndpoint.hostname);
    if ((!https && !loopbackHttp) || tokenEndpoint.username || tokenEndpoint.password) throw new Error();
  } catch {
    bad.push('KAFKA_OAUTH_TOKEN_ENDPOINT');
    tokenEndpoint = undefined;
  }
  const clientId = env['KAFKA_OAUTH_CLIENT_ID'];
  if (!clientId) bad.push('KAFKA_OAUTH_CLIENT_ID');
  const clientSecret = file('KAFKA_OAUTH_CLIENT_SECRET_FILE')?.trim();
  if (!clientSecret) bad.push('KAFKA_OAUTH_CLIENT_SECRET_FILE');
  const clientAuth = (env['KAFKA_OAUTH_CLIENT_AUTH'] ?? 'basic').toLowerCase();
  if (clientAuth !== 'basic' && clientAuth !== 'post') bad.push('KAFKA_OAUTH_CLIENT_AUTH');
  const scope = env['KAFKA_OAUTH_SCOPE'];
  if (!tokenEndpoint || !clientId || !clientSecret || (clientAuth !== 'basic' && clientAuth !== 'post'))
    return undefined;
  return { tokenEndpoint, clientId, clientSecret, clientAuth, ...(scope && { scope }) };
}

/**
 * kafkajs's `oauthBearerProvider`: a token from the token endpoint by the client-credentials grant,
 * kept until shortly before `expires_in` runs out; concurrent connections share one request.
 */
export function oauthBearerProvider(
  settings: OauthClientCredentials,
  now: () => number = Date.now,
): () => Promise<OauthbearerProviderResponse> {
  let cached: { value: string; refreshAt: number } | undefined;
  let inFlight: Promise<OauthbearerProviderResponse> | undefined;
  return () => {
    if (cached && cached.refreshAt > now()) return Promise.resolve({ value: cached.value });
    inFlight ??= fetchToken(settings)
      .then(({ value, expiresInMs }) => {
        cached = { value, refreshAt: now() + Math.max(expiresInMs - REFRESH_MARGIN_MS, expiresInMs / 2) };
        return { value };
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}

async function fetchToken(settings: OauthClientCredentials): Promise<{ value: string; expiresInMs: number }> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (settings.scope) form.set('scope', settings.scope);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (settings.clientAuth === 'basic') {
    // RFC 6749 §2.3.1: each part form-urlencoded before the Basic encoding.
    const pair = `${encodeURIComponent(settings.clientId)}:${encodeURIComponent(settings.clientSecret)}`;
    headers['authorization'] = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  } else {
    form.set('client_id', settings.clientId);
    form.set('client_secret', settings.clientSecret);
  }
  const where = settings.tokenEndpoint.host;
  let response: Response;
  try {
    response = await fetch(settings.tokenEndpoint, {
      method: 'POST',
      headers,
      body: form.toString(),
      redirect: 'error',
      signal: AbortSignal.timeout(settings.timeoutMs ?? 15_000),
    });
  } catch (err) {
    throw new KafkaOauthTokenError(
      `the Kafka token endpoint ${where} did not answer (${(err as Error).name})`,
    );
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const value = body['access_token'];
  if (!response.ok || typeof value !== 'string' || value === '') {
    const code = body['error'];
    const error = typeof code === 'string' && /^[\w.-]{1,100}$/.test(code) ? ` ${code}` : '';
    throw new KafkaOauthTokenError(
      `the Kafka token endpoint ${where} refused the client credentials: HTTP ${response.status}${error}`,
    );
  }
  const expiresIn = Number(body['expires_in']);
  return { value, expiresInMs: (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 300) * 1000 };
}
