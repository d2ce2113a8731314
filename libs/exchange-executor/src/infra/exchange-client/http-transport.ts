import { rootCertificates } from 'node:tls';
import { refusedPeerCertificate } from '@easgate/tls';
import { Agent, fetch } from 'undici';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** The one door to the network: Exchange, the token endpoint (through MSAL) and the vault. */
export interface HttpTransport {
  /** Resolves with any status; rejects on timeout (`name` TimeoutError) or a network failure. */
  request(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface UndiciTransportOptions {
  /** Extra CA certificates to trust (PEM), e.g. the sandbox's CA. */
  caPem?: string;
  connections?: number;
}

export class TransportTimeoutError extends Error {
  override readonly name = 'TransportTimeoutError';
}

/** HTTPS with keep-alive connections (undici), trusting an extra CA when given. */
export class UndiciTransport implements HttpTransport {
  private readonly agent: Agent;

  constructor(options: UndiciTransportOptions = {}) {
    this.agent = new Agent({
      connections: options.connections ?? 16,
      keepAliveTimeout: 30_000,
      ...(options.caPem !== undefined && {
        // Trust the extra CA in addition to the system roots.
        connect: { ca: [...rootCertificates, options.caPem] },
      }),
    });
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const signal = AbortSignal.timeout(request.timeoutMs);
    try {
      const res = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        dispatcher: this.agent,
        // A redirect is answered to the caller, not followed: a 307 would re-send the bearer token
        // or the client assertion (token requests go through here too) to another host.
        redirect: 'manual',
        signal,
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      return { status: res.status, headers: Object.fromEntries(res.headers), text: bytes.toString('utf8') };
    } catch (err) {
      if (signal.aborted)
        throw new TransportTimeoutError(
          `no answer from ${new URL(request.url).host} within ${request.timeoutMs} ms`,
        );
      // A certificate refused (the vault's, from a CA not in EASGATE_TLS_CA_FILE): say so, not "fetch failed".
      throw refusedPeerCertificate(err, request.url) ?? err;
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
