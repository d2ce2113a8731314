import { buildClientAssertion, type SigningCertificate } from '@easgate/auth';
import { z } from 'zod';
import { ExchangeError, ExchangeErrorCode } from './exchange-error';
import type { HttpTransport } from './http-transport';
import { type Clock, systemClock } from './tenant-guard';

/**
 * Signs the client assertion for a token endpoint (its `aud`). The executor never holds the private
 * key in service mode: the vault signs. The CLI signs locally from a PFX.
 */
export type AssertionProvider = (tokenEndpoint: string) => Promise<string>;

interface Signed {
  assertion: string;
  expiresAt: number;
}

/**
 * msal-node calls its clientAssertion callback on EVERY acquireToken, cache hits included
 * (reference §2.3): keep each assertion until a minute before it expires, per audience.
 */
function cached(sign: (audience: string) => Promise<Signed>, clock: Clock): AssertionProvider {
  const byAudience = new Map<string, Signed>();
  return async (audience) => {
    const hit = byAudience.get(audience);
    if (hit && hit.expiresAt - 60_000 > clock.now()) return hit.assertion;
    const fresh = await sign(audience);
    byAudience.set(audience, fresh);
    return fresh.assertion;
  };
}

/** Signs with a certificate and key held in this process (the CLI, from a PFX). */
export function localAssertionProvider(
  clientId: string,
  signing: Pick<SigningCertificate, 'certificate' | 'privateKey'>,
  clock: Clock = systemClock,
): AssertionProvider {
  return cached(async (audience) => {
    const signed = buildClientAssertion({
      clientId,
      tokenEndpoint: audience,
      certificate: signing.certificate,
      privateKey: signing.privateKey,
      now: new Date(clock.now()),
    });
    return { assertion: signed.assertion, expiresAt: signed.expiresAt.getTime() };
  }, clock);
}

const VaultAssertionResponse = z.object({
  assertion: z.string().min(1),
  thumbprintSha1: z.string().optional(),
  expiresAt: z.string(),
});

export interface VaultAssertionOptions {
  vaultUrl: string;
  /** An API token, or a function giving the whole `Authorization` header (the executor's service token). */
  apiToken: string | (() => string);
  connectionId: string;
  http: HttpTransport;
  clock?: Clock;
}

/**
 * Asks the cert-vault to sign: `POST {vault}/internal/v1/tenant-connections/{id}/client-assertion`
 * `{"audience": tokenEndpoint}` → `{assertion, thumbprintSha1, expiresAt}`. The key never leaves it.
 */
export function vaultAssertionProvider(options: VaultAssertionOptions): AssertionProvider {
  const clock = options.clock ?? systemClock;
  const url = `${options.vaultUrl.replace(/\/+$/, '')}/internal/v1/tenant-connections/${encodeURIComponent(
    options.connectionId,
  )}/client-assertion`;
  return cached(async (audience) => {
    let response: { status: number; text: string };
    try {
      response = await options.http.request({
        method: 'POST',
        url,
        headers: {
          Authorization:
            typeof options.apiToken === 'function' ? options.apiToken() : `Bearer ${options.apiToken}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ audience }),
        timeoutMs: 10_000,
      });
    } catch (err) {
      throw new ExchangeError(
        ExchangeErrorCode.AssertionUnavailable,
        `The certificate vault could not be reached: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    if (response.status !== 200) {
      // The vault's error body is {code, message}; it never contains key material.
      const said = describeVaultError(response.text);
      const code =
        response.status >= 500 || response.status === 429
          ? ExchangeErrorCode.AssertionUnavailable
          : ExchangeErrorCode.AssertionRejected;
      throw new ExchangeError(
        code,
        `The certificate vault refused to sign (HTTP ${response.status}): ${said}`,
        {
          status: response.status,
        },
      );
    }
    const parsed = VaultAssertionResponse.safeParse(safeJson(response.text));
    if (!parsed.success)
      throw new ExchangeError(
        ExchangeErrorCode.AssertionUnavailable,
        'The certificate vault answered without an assertion.',
      );
    const expiresAt = Date.parse(parsed.data.expiresAt);
    return {
      assertion: parsed.data.assertion,
      expiresAt: Number.isNaN(expiresAt) ? clock.now() + 120_000 : expiresAt,
    };
  }, clock);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeVaultError(text: string): string {
  const json = safeJson(text) as { code?: unknown; message?: unknown } | undefined;
  if (json && typeof json.message === 'string')
    return typeof json.code === 'string' ? `${json.code}: ${json.message}` : json.message;
  return text.slice(0, 300);
}
