import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent } from 'undici';

/**
 * Where alerts may be sent: not to private, loopback, link-local (cloud metadata), shared, multicast or
 * reserved addresses — checked on the addresses the name resolves to, also at connect time (a name that
 * re-resolves elsewhere is refused) — unless the operator admits `host:port` with
 * ALERTING_ALLOWED_DESTINATION_HOSTS (an in-cluster Alertmanager, a local test receiver).
 */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(network, prefix, 'ipv6');

/** Whether an address is one alerts may reach without the operator admitting it. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !blocked.check(address, 'ipv4');
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]);
  return !blocked.check(address, 'ipv6');
}

export class DestinationRefusedError extends Error {}

type Resolve = (hostname: string) => Promise<readonly string[]>;

const resolveAll: Resolve = (hostname) =>
  new Promise((ok, fail) =>
    dnsLookup(hostname, { all: true }, (err, addresses: LookupAddress[]) =>
      err ? fail(err) : ok(addresses.map((a) => a.address)),
    ),
  );

export class DestinationGuard {
  private readonly allowed: ReadonlySet<string>;
  private readonly allowedHostnames: ReadonlySet<string>;
  /** The dispatcher to send with: its connect-time lookup refuses what `check` would. */
  readonly dispatcher: Agent;

  constructor(
    allowed: readonly string[],
    private readonly resolve: Resolve = resolveAll,
  ) {
    this.allowed = new Set(allowed.map((h) => h.toLowerCase()));
    this.allowedHostnames = new Set(
      [...this.allowed].map((h) => h.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')),
    );
    this.dispatcher = new Agent({
      connect: {
        lookup: (hostname, options, callback) => {
          dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
            if (err) return callback(err, []);
            if (
              !this.allowedHostnames.has(hostname.toLowerCase()) &&
              addresses.some((a) => !isPublicAddress(a.address))
            )
              return callback(new DestinationRefusedError(`${hostname} resolves to a private address`), []);
            callback(null, addresses);
          });
        },
      },
    });
  }

  /** Refuses (DestinationRefusedError, a plain message) a destination alerts may not be sent to. */
  async check(url: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DestinationRefusedError('the destination is not a URL');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      throw new DestinationRefusedError('the destination must be http(s)');
    const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
    const hostname = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (this.allowed.has(`${parsed.hostname.toLowerCase()}:${port}`)) return;
    let addresses: readonly string[];
    try {
      addresses = isIP(hostname) ? [hostname] : await this.resolve(hostname);
    } catch {
      throw new DestinationRefusedError(`${hostname} does not resolve`);
    }
    if (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a)))
      throw new DestinationRefusedError(
        `${parsed.host} is a private, loopback, link-local or reserved address; admit it with ALERTING_ALLOWED_DESTINATION_HOSTS=${hostname}:${port}`,
      );
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
