import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxyOptions {
  listenPort: number;
  targetHost: string;
  targetPort: number;
}

/**
 * A TCP proxy (node:net) in front of a server, e.g. PostgreSQL: the suite points the services at it and
 * cuts it to simulate an outage of that server without stopping the shared one. While cut, every
 * connection is destroyed and new ones are closed as soon as they arrive.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private cutUntil = 0;
  private constructor(
    private readonly server: Server,
    readonly options: TcpProxyOptions,
  ) {}

  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, options);
    server.on('connection', (client) => proxy.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.listenPort, '127.0.0.1', resolve);
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  get isCut(): boolean {
    return Date.now() < this.cutUntil;
  }

  /** Destroys every connection and refuses new ones for `ms`. */
  cut(ms: number): void {
    this.cutUntil = Date.now() + ms;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Ends a cut early. */
  heal(): void {
    this.cutUntil = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.isCut) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: this.options.targetHost, port: this.options.targetPort });
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
