import {
  AuthError,
  ConfidentialClientApplication,
  type INetworkModule,
  LogLevel,
  type NetworkRequestOptions,
  type NetworkResponse,
  ServerError,
} from '@azure/msal-node';
import type { AssertionProvider } from './assertion-provider';
import { codeOfAadsts, ExchangeError, ExchangeErrorCode } from './exchange-error';
import { type HttpTransport, TransportTimeoutError } from './http-transport';
import type { ConnectionEndpoints } from './tenant-connection';

/** An app-only access token for one tenant connection. */
export interface TokenSource {
  /** A cached token unless `fresh` (after Exchange refused one). */
  accessToken(fresh?: boolean): Promise<string>;
}

export interface MsalTokenSourceOptions {
  appId: string;
  endpoints: ConnectionEndpoints;
  assertion: AssertionProvider;
  http: HttpTransport;
  timeoutMs?: number;
}

/**
 * One MSAL ConfidentialClientApplication per tenant connection: its in-memory cache serves the
 * token until 5 minutes before expiry, so a tenant costs about one token request an hour.
 */
export class MsalTokenSource implements TokenSource {
  private readonly cca: ConfidentialClientApplication;
  /** What our own callbacks threw: MSAL may wrap it, the caller wants the original. */
  private innerError: unknown;

  constructor(private readonly options: MsalTokenSourceOptions) {
    const authorityHost = new URL(options.endpoints.cloud.authorityHost).host;
    this.cca = new ConfidentialClientApplication({
      auth: {
        clientId: options.appId,
        authority: options.endpoints.authority,
        // Known authority: cloud discovery is synthesised locally instead of fetched.
        knownAuthorities: [authorityHost],
        clientAssertion: async ({ tokenEndpoint }) => {
          try {
            return await options.assertion(tokenEndpoint ?? options.endpoints.tokenEndpoint);
          } catch (err) {
            this.innerError = err;
            throw err;
          }
        },
      },
      system: {
        networkClient: this.networkClient(),
        loggerOptions: {
          logLevel: LogLevel.Error,
          piiLoggingEnabled: false,
          loggerCallback: () => undefined,
        },
      },
    });
  }

  /** Concurrent callers share one token request: MSAL itself does not (a cold start would fan out). */
  private inFlight?: Promise<string>;

  accessToken(fresh = false): Promise<string> {
    if (fresh) return this.acquire(true);
    this.inFlight ??= this.acquire(false).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async acquire(fresh: boolean): Promise<string> {
    this.innerError = undefined;
    try {
      const result = await this.cca.acquireTokenByClientCredential({
        scopes: [this.options.endpoints.tokenScope],
        ...(fresh && { skipCache: true }),
      });
      if (!result?.accessToken)
        throw new ExchangeError(
          ExchangeErrorCode.TokenRequestFailed,
          'The token endpoint returned no access token.',
        );
      return result.accessToken;
    } catch (err) {
      throw this.typed(err);
    }
  }

  private typed(err: unknown): ExchangeError {
    if (err instanceof ExchangeError) return err;
    if (this.innerError instanceof ExchangeError) return this.innerError;
    if (err instanceof ServerError) {
      const aadsts = err.errorNo !== undefined ? Number(err.errorNo) : undefined;
      const code = codeOfAadsts(Number.isFinite(aadsts) ? aadsts : undefined, err.status);
      return new ExchangeError(code, microsoftDescription(err), {
        ...(aadsts !== undefined && Number.isFinite(aadsts) && { aadsts }),
        ...(err.status !== undefined && { status: err.status }),
      });
    }
    const inner = this.innerError ?? err;
    if (inner instanceof TransportTimeoutError)
      return new ExchangeError(ExchangeErrorCode.Timeout, `Token request: ${inner.message}`, {
        stage: 'token',
        cause: inner,
      });
    if (this.innerError !== undefined || (err instanceof AuthError && /network|fetch/i.test(err.errorCode)))
      return new ExchangeError(ExchangeErrorCode.Network, `Token request failed: ${describe(inner)}`, {
        stage: 'token',
        cause: inner,
      });
    return new ExchangeError(ExchangeErrorCode.TokenRequestFailed, describe(err), { cause: err });
  }

  private networkClient(): INetworkModule {
    const send = async <T>(
      method: 'GET' | 'POST',
      url: string,
      options?: NetworkRequestOptions,
    ): Promise<NetworkResponse<T>> => {
      try {
        const res = await this.options.http.request({
          method,
          url,
          ...(options?.headers !== undefined && { headers: options.headers }),
          ...(options?.body !== undefined && { body: options.body }),
          timeoutMs: this.options.timeoutMs ?? 30_000,
        });
        let body: unknown;
        try {
          body = JSON.parse(res.text);
        } catch {
          body = { error: 'invalid_response', error_description: `non-JSON answer (HTTP ${res.status})` };
        }
        return { headers: res.headers, body: body as T, status: res.status };
      } catch (err) {
        this.innerError = err;
        throw err;
      }
    };
    return {
      sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('GET', url, options),
      sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) =>
        send<T>('POST', url, options),
    };
  }
}

/** "Error(s): … - Description: AADSTS700027: … - Correlation ID: …" → the AADSTS text itself. */
function microsoftDescription(err: ServerError): string {
  const match = /Description:\s*([\s\S]*?)(?:\s+-\s+Correlation ID:|$)/.exec(err.errorMessage);
  const text = (match?.[1] ?? err.errorMessage).split(/\r?\nTrace ID:/)[0]?.trim();
  return text || `${err.errorCode}`;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
