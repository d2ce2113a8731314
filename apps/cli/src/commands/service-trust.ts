import { peerCaFromEnv, peerDispatcher, refusedPeerCertificate, TlsError } from '@easgate/tls';
import { UsageError } from './usage';

/** Node's global fetch takes undici's agents (the package's types and Node's bundled ones differ only in name). */
type Dispatcher = NonNullable<RequestInit['dispatcher']>;
let dispatcher: Dispatcher | undefined;

/**
 * What the CLI adds to each call to a service: with EASGATE_TLS_CA_FILE, a dispatcher trusting the
 * services' CA besides the system CAs (the same setting the services read); without, nothing.
 */
export function serviceCallInit(env: NodeJS.ProcessEnv = process.env): { dispatcher?: Dispatcher } {
  if (dispatcher) return { dispatcher };
  let ca: string | undefined;
  try {
    ca = peerCaFromEnv(env);
  } catch (err) {
    if (err instanceof TlsError) throw new UsageError(err.message);
    throw err;
  }
  if (ca === undefined) return {};
  dispatcher = peerDispatcher(ca) as unknown as Dispatcher;
  return { dispatcher };
}

/** Why a call to `url` failed: a refused certificate says what to set; anything else its cause's code. */
export function describeServiceCallFailure(err: unknown, url: string): string {
  const refused = refusedPeerCertificate(err, url);
  if (refused) return refused.message;
  const cause = (err as { cause?: { code?: string; errors?: { code?: string }[]; message?: string } }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? String(err);
}
