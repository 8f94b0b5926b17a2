/**
 * Listening and stopping, the same way in both apps:
 * - by default only on this machine's loopback addresses, both of them, so that http://localhost works whichever
 *   of 127.0.0.1 or ::1 a browser or Node picks (`listen('localhost')` would bind only one);
 * - with limits on slow and idle clients;
 * - stopping by finishing the requests in flight, within a bounded wait.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Node's defaults assume a reverse proxy in front that already enforces limits; these apps may face browsers
 * (and attackers) directly.
 */
const TIMEOUTS = {
  // Request headers must arrive within 10 s (Node: 60 s). A client that trickles them byte by byte ("slowloris"),
  // or connects and sends nothing, holds a socket no longer than that, then gets 408 and is disconnected.
  headersTimeout: 10_000,
  // The whole request, body included, within 30 s (Node: 300 s). The apps accept bodies of 16 KB at most.
  requestTimeout: 30_000,
  // An idle keep-alive connection is closed after 5 s (Node's default, chosen here on purpose). Behind a load
  // balancer this must be longer than the balancer's own idle timeout, or it reuses connections being closed.
  keepAliveTimeout: 5_000,
  // How often the two deadlines above are checked (Node: every 30 s, which would let idle sockets linger).
  connectionsCheckingInterval: 1_000,
};

/**
 * At most this many open connections per listening address. Each costs a file descriptor and some memory; past the
 * cap a new connection is closed at once, instead of running out of descriptors (which would also break file
 * reads and database connections). The cap is far above what the apps serve, so that thousands of idle sockets,
 * each gone within `headersTimeout`, cannot lock out real requests.
 */
const MAX_CONNECTIONS = 10_000;

/** What a failed `listen` reports: the system's error code and the address it was for. */
export class ListenError extends Error {
  constructor(
    readonly code: string,
    readonly address: string,
  ) {
    super(`Cannot listen on ${address}: ${code}`);
    this.name = 'ListenError';
  }
}

export interface Listening {
  /** The port listened on: the configured one, or the one the system chose for port 0. */
  port: number;
  /** Each address listened on, as `127.0.0.1:8080` or `[::1]:8080`. */
  addresses: string[];
  /** Starts answering requests. Until then a connection waits (nothing is refused). */
  serve(app: RequestListener): void;
  /** Stops accepting connections and resolves once those open have finished, or after `graceMs`. */
  close(graceMs: number): Promise<{ forced: boolean }>;
}

export async function listen({ host, port }: { host: string | undefined; port: number }): Promise<Listening> {
  const servers = host === undefined ? await listenOnLoopback(port) : [await bind(port, host)];
  const bound = (servers[0]?.address() as AddressInfo).port;
  return {
    port: bound,
    addresses: servers.map((server) => {
      const { address, family } = server.address() as AddressInfo;
      return family === 'IPv6' ? `[${address}]:${bound}` : `${address}:${bound}`;
    }),
    serve: (app) => servers.forEach((server) => server.on('request', app)),
    close: (graceMs) => closeGracefully(servers, graceMs),
  };
}

/** 127.0.0.1 and ::1 on the same port. A machine without IPv6 gets 127.0.0.1 alone. */
async function listenOnLoopback(port: number): Promise<Server[]> {
  for (let attempt = 1; ; attempt++) {
    const ipv4 = await bind(port, '127.0.0.1');
    const chosen = (ipv4.address() as AddressInfo).port;
    try {
      return [ipv4, await bind(chosen, '::1')];
    } catch (err) {
      const code = err instanceof ListenError ? err.code : '';
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return [ipv4];
      await new Promise((resolve) => ipv4.close(resolve));
      // For port 0 the system chose a port free on 127.0.0.1 only: ask again.
      if (port === 0 && code === 'EADDRINUSE' && attempt < 5) continue;
      throw err;
    }
  }
}

function bind(port: number, host: string): Promise<Server> {
  const server = createServer(TIMEOUTS);
  server.maxConnections = MAX_CONNECTIONS;
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new ListenError(err.code ?? err.message, host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`));
    });
    server.listen(port, host, () => resolve(server));
  });
}

async function closeGracefully(servers: Server[], graceMs: number): Promise<{ forced: boolean }> {
  let forced = false;
  const closed = Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  // close() stops accepting and closes idle keep-alive connections. A connection still answering a request
  // would stay open for its keep-alive time afterwards: close each one as soon as it has answered.
  const sweep = setInterval(() => servers.forEach((server) => server.closeIdleConnections()), 50);
  const deadline = setTimeout(() => {
    forced = true;
    servers.forEach((server) => server.closeAllConnections());
  }, graceMs);
  await closed;
  clearInterval(sweep);
  clearTimeout(deadline);
  return { forced };
}

/**
 * Runs `stop` on the first SIGINT or SIGTERM. Later signals are ignored: under `npm start` one Ctrl-C reaches each
 * app several times (from the terminal, from concurrently and from tsx), and the wait is bounded anyway.
 */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void stop(signal);
    });
  }
}

/** One line that says what to change. */
export function describeListenError(err: unknown, settings: { host: string | undefined; port: number; portVariable: string }): string {
  if (!(err instanceof ListenError)) return `Cannot listen: ${err instanceof Error ? err.message : String(err)}`;
  const { host, port, portVariable } = settings;
  switch (err.code) {
    case 'EADDRINUSE':
      return `Port ${port} is already in use (${err.address}): stop the other process or set ${portVariable} to another port.`;
    case 'EACCES':
      return `Port ${port} needs administrator rights on this system (${err.address}): set ${portVariable} to a port from 1024 up.`;
    case 'EADDRNOTAVAIL':
      return `HOST=${host} is not an address of this machine: set HOST to one of its addresses, or 0.0.0.0 for all of them.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST=${host} is not a name this machine can resolve: set HOST to an IP address, or 0.0.0.0.`;
    default:
      return `${err.message}: check HOST and ${portVariable}.`;
  }
}
