import { randomUUID } from 'node:crypto';
import { sameOrigin } from '@easgate/auth';
import { buildUntypedInvokeCommandBody, describeCmdletSchemaErrors } from '@easgate/cmdlet-schemas';
import { ExecutorErrorCode } from '../../domain/executor-error';
import { errorOfResponse, ExchangeError, ExchangeErrorCode } from './exchange-error';
import { type HttpResponse, type HttpTransport, TransportTimeoutError } from './http-transport';
import type { ConnectionEndpoints } from './tenant-connection';
import { type Clock, systemClock, type TenantGuard } from './tenant-guard';
import type { TokenSource } from './token-source';

export interface ExchangeRetryOptions {
  /** Attempts per HTTP request, the first included (the module: 6). */
  maxAttempts: number;
  /** Back-off for 503/504/network/timeouts: base × 2^(attempt-1), ± jitter (the module: 2000 ms). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** 0..1 share of each delay that is random. */
  jitter: number;
  /** A Retry-After longer than this is not waited for: the call fails as throttled. */
  maxRetryAfterMs: number;
}

export const DEFAULT_EXCHANGE_RETRY: ExchangeRetryOptions = {
  maxAttempts: 6,
  baseDelayMs: 2_000,
  maxDelayMs: 60_000,
  jitter: 0.3,
  maxRetryAfterMs: 300_000,
};

export interface ExchangeClientOptions {
  endpoints: ConnectionEndpoints;
  tokens: TokenSource;
  http: HttpTransport;
  guard: TenantGuard;
  retry?: Partial<ExchangeRetryOptions>;
  /** Items per page asked with `Prefer: odata.maxpagesize` (the module: 1000). */
  pageSize?: number;
  /** Per HTTP request. REST cmdlets time out server-side after 15 minutes (reference §3.6). */
  requestTimeoutMs?: number;
  clock?: Clock;
  random?: () => number;
  /** Told about every HTTP request (metrics): outcome = `ok` or the error code. */
  observe?: (request: {
    cmdlet: string;
    outcome: string;
    durationMs: number;
    /** The server's Retry-After, when it sent one. */
    retryAfterSeconds?: number;
  }) => void;
}

export interface InvokeOptions {
  pageSize?: number;
  /** `$select`: only these output properties. */
  select?: readonly string[];
}

export type CmdletObject = Record<string, unknown>;

export interface CmdletPage {
  readonly values: CmdletObject[];
  readonly warnings: string[];
  /** 1-based page number. */
  readonly page: number;
}

export interface InvokeResult {
  readonly values: CmdletObject[];
  readonly warnings: string[];
  /** HTTP attempts made (retries included). */
  readonly attempts: number;
}

/** Counters for tests, benchmarks and metrics. */
export interface ExchangeClientStats {
  requests: number;
  retries: number;
  throttled: number;
}

const RETRIED = new Set<ExchangeErrorCode>([
  ExchangeErrorCode.Throttled,
  ExchangeErrorCode.Unavailable,
  ExchangeErrorCode.Network,
  ExchangeErrorCode.Timeout,
  ExchangeErrorCode.AssertionUnavailable,
]);

const BREAKER_FAILURES = new Set<ExchangeErrorCode>([
  ExchangeErrorCode.Unavailable,
  ExchangeErrorCode.ServerError,
  ExchangeErrorCode.Network,
  ExchangeErrorCode.Timeout,
  ExchangeErrorCode.TokenThrottled,
  ExchangeErrorCode.AssertionUnavailable,
]);

/**
 * The Exchange Online admin API for one tenant connection (reference §3): InvokeCommand with the
 * module's headers, JSON responses, every `@odata.nextLink` followed and streamed page by page,
 * typed errors, retries (429 → Retry-After; 503/504/network → exponential back-off with jitter)
 * inside the tenant's concurrency limit, rate budget and circuit breaker.
 */
export class ExchangeClient {
  readonly stats: ExchangeClientStats = { requests: 0, retries: 0, throttled: 0 };
  private readonly retry: ExchangeRetryOptions;
  private readonly clock: Clock;
  private readonly random: () => number;
  /** Stable for the client's life, like the module's session. */
  private readonly connectionId = randomUUID();

  constructor(private readonly options: ExchangeClientOptions) {
    this.retry = { ...DEFAULT_EXCHANGE_RETRY, ...options.retry };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  get endpoints(): ConnectionEndpoints {
    return this.options.endpoints;
  }

  /** Acquires a token (from MSAL's cache when it has one): the connection test's first step. */
  async acquireToken(): Promise<void> {
    await this.options.tokens.accessToken();
  }

  /** Runs a cmdlet and collects every page (for Set/New/Remove and small reads). */
  async invoke(
    cmdlet: string,
    parameters: Readonly<Record<string, unknown>> = {},
    options: InvokeOptions = {},
  ): Promise<InvokeResult> {
    const values: CmdletObject[] = [];
    const warnings: string[] = [];
    const counter = { attempts: 0 };
    for await (const page of this.pagesCounting(cmdlet, parameters, options, counter)) {
      values.push(...page.values);
      warnings.push(...page.warnings);
    }
    return { values, warnings, attempts: counter.attempts };
  }

  /** Every object of every page, one at a time: a listing of 100k devices is never held whole. */
  async *stream(
    cmdlet: string,
    parameters: Readonly<Record<string, unknown>> = {},
    options: InvokeOptions = {},
  ): AsyncGenerator<CmdletObject> {
    for await (const page of this.pages(cmdlet, parameters, options)) yield* page.values;
  }

  pages(
    cmdlet: string,
    parameters: Readonly<Record<string, unknown>> = {},
    options: InvokeOptions = {},
  ): AsyncGenerator<CmdletPage> {
    return this.pagesCounting(cmdlet, parameters, options, { attempts: 0 });
  }

  private async *pagesCounting(
    cmdlet: string,
    parameters: Readonly<Record<string, unknown>>,
    options: InvokeOptions,
    counter: { attempts: number },
  ): AsyncGenerator<CmdletPage> {
    const built = buildUntypedInvokeCommandBody(cmdlet, parameters);
    if (!built.ok)
      throw new ExchangeError(ExchangeErrorCode.InvalidInput, describeCmdletSchemaErrors(built.errors), {
        cmdlet,
      });
    const name = built.value.CmdletInput.CmdletName;
    const body = JSON.stringify(built.value);
    const select = options.select?.length ? `?$select=${encodeURIComponent(options.select.join(','))}` : '';
    let url: string | undefined = `${this.options.endpoints.invokeCommandUrl}${select}`;
    const pageSize = options.pageSize ?? this.options.pageSize ?? 1000;
    for (let page = 1; url !== undefined; page++) {
      const res = await this.send(name, url, body, pageSize, counter);
      const parsed = parseEnvelope(res, name);
      // CIPP and Monkey365 POST the same body to the nextLink (reference §3.4). Only on the same origin:
      // a link elsewhere would carry the Exchange token to whoever wrote the answer.
      if (
        parsed.nextLink !== undefined &&
        !sameOrigin(parsed.nextLink, this.options.endpoints.invokeCommandUrl)
      )
        throw new ExchangeError(
          ExchangeErrorCode.UnexpectedResponse,
          `${name}: @odata.nextLink points at another origin; not followed.`,
          { cmdlet: name },
        );
      url = parsed.nextLink;
      yield { values: parsed.values, warnings: parsed.warnings, page };
    }
  }

  /** One HTTP request with the retry rules, inside the tenant guard. */
  private async send(
    cmdlet: string,
    url: string,
    body: string,
    pageSize: number,
    counter: { attempts: number },
  ): Promise<HttpResponse> {
    let freshToken = false;
    for (let attempt = 1; ; attempt++) {
      counter.attempts++;
      const started = this.clock.now();
      try {
        const res = await this.options.guard.run(
          () => this.request(cmdlet, url, body, pageSize, freshToken),
          (err) => err instanceof ExchangeError && BREAKER_FAILURES.has(err.code),
        );
        this.options.observe?.({ cmdlet, outcome: 'ok', durationMs: this.clock.now() - started });
        return res;
      } catch (err) {
        const retryAfter = err instanceof ExchangeError ? err.details.retryAfterSeconds : undefined;
        this.options.observe?.({
          cmdlet,
          outcome: err instanceof ExchangeError ? err.code : ExecutorErrorCode.Unexpected,
          durationMs: this.clock.now() - started,
          ...(retryAfter !== undefined && { retryAfterSeconds: retryAfter }),
        });
        if (!(err instanceof ExchangeError)) throw err;
        // A refused token is refreshed once (the module retries 401 too).
        if (err.code === ExchangeErrorCode.Unauthorized && !freshToken) {
          freshToken = true;
          this.stats.retries++;
          continue;
        }
        if (!RETRIED.has(err.code) || attempt >= this.retry.maxAttempts) throw err;
        const delay = this.delayBefore(attempt, err);
        if (delay === undefined) throw err;
        this.stats.retries++;
        if (err.code === ExchangeErrorCode.Throttled) {
          this.stats.throttled++;
          // Every caller of this tenant waits: the budget is the tenant's, not this request's.
          this.options.guard.pauseUntil(this.clock.now() + delay);
        }
        await this.clock.sleep(delay);
      }
    }
  }

  private delayBefore(attempt: number, err: ExchangeError): number | undefined {
    const retryAfter = err.details.retryAfterSeconds;
    if (err.code === ExchangeErrorCode.Throttled && retryAfter !== undefined) {
      const ms = Math.ceil(retryAfter * 1000);
      return ms > this.retry.maxRetryAfterMs ? undefined : ms;
    }
    const base = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    const spread = base * this.retry.jitter;
    return Math.max(0, Math.round(base - spread + this.random() * 2 * spread));
  }

  private async request(
    cmdlet: string,
    url: string,
    body: string,
    pageSize: number,
    freshToken: boolean,
  ): Promise<HttpResponse> {
    const token = await this.options.tokens.accessToken(freshToken);
    this.stats.requests++;
    let res: HttpResponse;
    try {
      res = await this.options.http.request({
        method: 'POST',
        url,
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'X-AnchorMailbox': this.options.endpoints.anchorMailbox,
          'X-CmdletName': cmdlet,
          'X-ResponseFormat': 'json',
          'X-SerializationLevel': 'Partial',
          // UNCONFIRMED whether Exchange cares which client it is; the module sends this value.
          'X-ClientApplication': 'ExoManagementModule',
          Prefer: `odata.maxpagesize=${pageSize}`,
          'connection-id': this.connectionId,
          'client-request-id': randomUUID(),
          'User-Agent': 'easgate-exchange-executor',
        },
        body,
        timeoutMs: this.options.requestTimeoutMs ?? 16 * 60_000,
      });
    } catch (err) {
      if (err instanceof TransportTimeoutError)
        throw new ExchangeError(ExchangeErrorCode.Timeout, err.message, { cmdlet, cause: err });
      throw new ExchangeError(ExchangeErrorCode.Network, `${cmdlet}: ${networkText(err)}`, {
        cmdlet,
        cause: err,
      });
    }
    if (res.status >= 200 && res.status < 300) return res;
    throw errorOfResponse(
      res.status,
      res.text,
      cmdlet,
      retryAfterSeconds(res.headers['retry-after'], this.clock.now()),
    );
  }
}

function parseEnvelope(
  res: HttpResponse,
  cmdlet: string,
): { values: CmdletObject[]; warnings: string[]; nextLink?: string } {
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    throw new ExchangeError(
      ExchangeErrorCode.UnexpectedResponse,
      `${cmdlet}: the answer is not JSON (HTTP ${res.status}).`,
      { cmdlet, status: res.status },
    );
  }
  const envelope = json as { value?: unknown; '@adminapi.warnings'?: unknown; '@odata.nextLink'?: unknown };
  const values = Array.isArray(envelope.value) ? (envelope.value as CmdletObject[]) : [];
  const warnings = Array.isArray(envelope['@adminapi.warnings'])
    ? envelope['@adminapi.warnings'].map(String)
    : [];
  const next = envelope['@odata.nextLink'];
  return { values, warnings, ...(typeof next === 'string' && next && { nextLink: next }) };
}

/** Retry-After: seconds (fractional allowed, reference §3.6) or an HTTP date. */
export function retryAfterSeconds(header: string | undefined, now: number): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

function networkText(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return err instanceof Error ? err.message : String(err);
}
