/**
 * A TCP proxy between the provider and PostgreSQL, so that a test can take the database away and give it back
 * without touching the server itself (which other test files share): `cut()` drops every open connection and
 * refuses new ones, as a stopped or unreachable server does; `restore()` accepts connections again on the same
 * port. `databaseUrl(url)` rewrites a database URL to go through the proxy.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server;
  private listening = false;

  private constructor(
    private readonly target: { host: string; port: number },
    public port = 0,
  ) {
    this.server = this.createServer();
  }

  /** A proxy on 127.0.0.1, on a port of the system's choosing, forwarding to `target`. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.restore();
    return proxy;
  }

  /** The same database URL, pointed at the proxy. */
  databaseUrl(url: string): string {
    const rewritten = new URL(url);
    rewritten.hostname = '127.0.0.1';
    rewritten.port = String(this.port);
    return rewritten.href;
  }

  /** Refuses new connections and resets every open one. */
  async cut(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise((resolve) => this.server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Accepts connections again, on the port it had. */
  async restore(): Promise<void> {
    if (this.listening) return;
    this.server = this.createServer();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.listening = true;
  }

  close(): Promise<void> {
    return this.cut();
  }

  private createServer(): Server {
    return createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(from);
        from.on('error', () => to.destroy());
        from.on('close', () => {
          this.sockets.delete(from);
          to.destroy();
        });
        from.pipe(to);
      }
    });
  }
}
