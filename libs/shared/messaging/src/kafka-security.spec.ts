import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KafkaConfig } from 'kafkajs';
import {
  kafkaSecurityFromEnv,
  KafkaOauthTokenError,
  KafkaSecurityConfigError,
  oauthBearerProvider,
} from './kafka-security';

interface TokenRequest {
  headers: IncomingHttpHeaders;
  form: URLSearchParams;
}

/** A real token endpoint on loopback: answers the client-credentials grant, counts what it is asked. */
async function aTokenEndpoint(answer: (n: number) => { status: number; body: unknown }) {
  const requests: TokenRequest[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      requests.push({ headers: req.headers, form: new URLSearchParams(raw) });
      const { status, body } = answer(requests.length);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/oauth2/token`;
  return { url, requests, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

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

  describe('OAUTHBEARER', () => {
    const secret = join(dir, 'client-secret');
    writeFileSync(secret, 'kafka-client-secret-0123456789\n');
    const oauthEnv = (url: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'OAUTHBEARER',
      KAFKA_OAUTH_TOKEN_ENDPOINT: url,
      KAFKA_OAUTH_CLIENT_ID: 'policy-translator',
      KAFKA_OAUTH_CLIENT_SECRET_FILE: secret,
      KAFKA_OAUTH_SCOPE: 'kafka',
      ...extra,
    });
    const providerOf = (sasl: KafkaConfig['sasl']) => {
      if (sasl?.mechanism !== 'oauthbearer' || !('oauthBearerProvider' in sasl))
        throw new Error('not oauthbearer');
      return sasl.oauthBearerProvider;
    };

    it('gets a token by client credentials (HTTP Basic) and serves it from the cache while it is fresh', async () => {
      const endpoint = await aTokenEndpoint(() => ({
        status: 200,
        body: { access_token: 'token-1', token_type: 'Bearer', expires_in: 3600 },
      }));
      try {
        const sut = providerOf(kafkaSecurityFromEnv(oauthEnv(endpoint.url)).sasl);
        await expect(Promise.all([sut(), sut()])).resolves.toEqual([
          { value: 'token-1' },
          { value: 'token-1' },
        ]);
        await expect(sut()).resolves.toEqual({ value: 'token-1' });
        expect(endpoint.requests).toHaveLength(1);
        const [request] = endpoint.requests;
        expect(request.form.get('grant_type')).toBe('client_credentials');
        expect(request.form.get('scope')).toBe('kafka');
        expect(request.form.get('client_secret')).toBeNull();
        expect(request.headers.authorization).toBe(
          `Basic ${Buffer.from('policy-translator:kafka-client-secret-0123456789').toString('base64')}`,
        );
      } finally {
        await endpoint.close();
      }
    });

    it('fetches a new token a minute before the cached one expires', async () => {
      const endpoint = await aTokenEndpoint((n) => ({
        status: 200,
        body: { access_token: `token-${n}`, expires_in: 300 },
      }));
      let now = Date.parse('2026-12-01T04:00:00Z');
      try {
        const sut = oauthBearerProvider(
          {
            tokenEndpoint: new URL(endpoint.url),
            clientId: 'alerting',
            clientSecret: 'kafka-client-secret-0123456789',
            clientAuth: 'post',
          },
          () => now,
        );
        await expect(sut()).resolves.toEqual({ value: 'token-1' });
        now += 239_000;
        await expect(sut()).resolves.toEqual({ value: 'token-1' });
        now += 1_000;
        await expect(sut()).resolves.toEqual({ value: 'token-2' });
        expect(endpoint.requests[1].form.get('client_id')).toBe('alerting');
        expect(endpoint.requests[1].headers.authorization).toBeUndefined();
      } finally {
        await endpoint.close();
      }
    });

    it('fails with a coded error that names the endpoint and the OAuth error, never the secret', async () => {
      const endpoint = await aTokenEndpoint(() => ({ status: 401, body: { error: 'invalid_client' } }));
      try {
        const sut = providerOf(kafkaSecurityFromEnv(oauthEnv(endpoint.url)).sasl);
        const error = await sut().then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(KafkaOauthTokenError);
        expect((error as Error).message).toMatch(
          /127\.0\.0\.1:\d+ refused the client credentials: HTTP 401 invalid_client/,
        );
        expect((error as Error).message).not.toContain('kafka-client-secret');
      } finally {
        await endpoint.close();
      }
    });

    it('refuses OAUTHBEARER without TLS, a plain-http endpoint off loopback, and a missing secret, naming the keys', () => {
      let error: unknown;
      try {
        kafkaSecurityFromEnv(
          oauthEnv('http://idp.example.com/token', {
            KAFKA_SSL: 'false',
            KAFKA_OAUTH_CLIENT_SECRET_FILE: join(dir, 'missing'),
          }),
        );
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(KafkaSecurityConfigError);
      const message = (error as Error).message;
      for (const key of ['KAFKA_SSL', 'KAFKA_OAUTH_TOKEN_ENDPOINT', 'KAFKA_OAUTH_CLIENT_SECRET_FILE'])
        expect(message).toContain(key);
      expect(kafkaSecurityFromEnv(oauthEnv('https://idp.example.com/token')).sasl?.mechanism).toBe(
        'oauthbearer',
      );
    });
  });
});
