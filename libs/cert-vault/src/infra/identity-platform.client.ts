import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, fetch } from 'undici';
import { VaultError, VaultErrorCode } from '../domain/vault-error';

export interface TokenRequest {
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly clientAssertion: string;
  /** e.g. https://outlook.office365.com/.default or https://graph.microsoft.com/.default */
  readonly scope: string;
}

export type TokenOutcome =
  | { ok: true; accessToken: string; expiresIn: number }
  | { ok: false; status: number; error: string; errorCodes: number[]; description: string };

export interface GraphKeyRequest {
  readonly graphUrl: string;
  readonly applicationObjectId: string;
  readonly accessToken: string;
  readonly proof: string;
}

/** The identity platform token endpoint and Microsoft Graph addKey/removeKey, over HTTPS. */
export interface IdentityPlatform {
  requestToken(request: TokenRequest): Promise<TokenOutcome>;
  addKey(
    request: GraphKeyRequest & { certificateDer: Buffer; displayName: string },
  ): Promise<{ keyId: string }>;
  removeKey(request: GraphKeyRequest & { keyId: string }): Promise<void>;
  /** The application's key credentials (keyId and customKeyIdentifier). */
  listKeys(
    request: Omit<GraphKeyRequest, 'proof'>,
  ): Promise<{ keyId: string; customKeyIdentifier: string | null }[]>;
  close(): Promise<void>;
}

/** Trusts the system CAs plus extra CA files (VAULT_EXTRA_CA_FILE, NODE_EXTRA_CA_CERTS, the embedded sandbox's). */
export function httpsAgent(extraCaFiles: readonly string[]): Agent {
  const ca = [...rootCertificates, ...extraCaFiles.map((file) => readFileSync(file, 'utf8'))];
  return new Agent({ connect: { ca }, keepAliveTimeout: 10_000 });
}

export class HttpIdentityPlatform implements IdentityPlatform {
  constructor(
    private readonly agent: Agent,
    private readonly timeoutMs: number,
  ) {}

  async requestToken(request: TokenRequest): Promise<TokenOutcome> {
    const body = new URLSearchParams({
      client_id: request.clientId,
      scope: request.scope,
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: request.clientAssertion,
    });
    const response = await this.send(request.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok && typeof json['access_token'] === 'string') {
      return { ok: true, accessToken: json['access_token'], expiresIn: Number(json['expires_in'] ?? 0) };
    }
    const description =
      typeof json['error_description'] === 'string' ? json['error_description'].split(/\r?\n/)[0] : '';
    return {
      ok: false,
      status: response.status,
      error: typeof json['error'] === 'string' ? json['error'] : `http_${response.status}`,
      errorCodes: Array.isArray(json['error_codes']) ? (json['error_codes'] as number[]) : [],
      description,
    };
  }

  async addKey(
    request: GraphKeyRequest & { certificateDer: Buffer; displayName: string },
  ): Promise<{ keyId: string }> {
    const response = await this.send(this.graphApplicationUrl(request, 'addKey'), {
      method: 'POST',
      headers: { authorization: `Bearer ${request.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        keyCredential: {
          type: 'AsymmetricX509Cert',
          usage: 'Verify',
          key: request.certificateDer.toString('base64'),
          displayName: request.displayName,
        },
        passwordCredential: null,
        proof: request.proof,
      }),
    });
    const json = (await response.json().catch(() => ({}))) as {
      keyId?: unknown;
      error?: { code?: string; message?: string };
    };
    if (!response.ok || typeof json.keyId !== 'string')
      throw graphError('addKey', response.status, json.error);
    return { keyId: json.keyId };
  }

  async removeKey(request: GraphKeyRequest & { keyId: string }): Promise<void> {
    const response = await this.send(this.graphApplicationUrl(request, 'removeKey'), {
      method: 'POST',
      headers: { authorization: `Bearer ${request.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ keyId: request.keyId, proof: request.proof }),
    });
    if (!response.ok) {
      const json = (await response.json().catch(() => ({}))) as {
        error?: { code?: string; message?: string };
      };
      throw graphError('removeKey', response.status, json.error);
    }
  }

  async listKeys(
    request: Omit<GraphKeyRequest, 'proof'>,
  ): Promise<{ keyId: string; customKeyIdentifier: string | null }[]> {
    const url = `${request.graphUrl.replace(/\/+$/, '')}/v1.0/applications/${encodeURIComponent(request.applicationObjectId)}?$select=keyCredentials`;
    let response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${request.accessToken}` },
        dispatcher: this.agent,
        // Never re-sent elsewhere: a 307 would carry the client assertion or the token to another host.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new VaultError(
        VaultErrorCode.IdentityPlatformError,
        `${new URL(url).host} did not answer (${(err as Error).message})`,
        true,
      );
    }
    const json = (await response.json().catch(() => ({}))) as {
      keyCredentials?: { keyId?: unknown; customKeyIdentifier?: unknown }[];
      error?: { code?: string; message?: string };
    };
    if (!response.ok) throw graphError('get application', response.status, json.error);
    return (json.keyCredentials ?? [])
      .filter((k): k is { keyId: string; customKeyIdentifier?: unknown } => typeof k.keyId === 'string')
      .map((k) => ({
        keyId: k.keyId,
        customKeyIdentifier: typeof k.customKeyIdentifier === 'string' ? k.customKeyIdentifier : null,
      }));
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private graphApplicationUrl(request: GraphKeyRequest, action: string): string {
    return `${request.graphUrl.replace(/\/+$/, '')}/v1.0/applications/${encodeURIComponent(request.applicationObjectId)}/${action}`;
  }

  private async send(url: string, init: { method: string; headers: Record<string, string>; body: string }) {
    try {
      return await fetch(url, {
        ...init,
        dispatcher: this.agent,
        // Never re-sent elsewhere: a 307 would carry the client assertion or the token to another host.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new VaultError(
        VaultErrorCode.IdentityPlatformError,
        `${new URL(url).host} did not answer (${cause?.code ?? cause?.message ?? (err as Error).message})`,
        true,
      );
    }
  }
}

function graphError(
  action: string,
  status: number,
  error: { code?: string; message?: string } | undefined,
): VaultError {
  return new VaultError(
    VaultErrorCode.IdentityPlatformError,
    `Graph ${action} failed with HTTP ${status}${error?.code ? ` ${error.code}` : ''}${error?.message ? `: ${error.message}` : ''}`,
    status === 429 || status >= 500,
  );
}
