/**
 * The common end of every server entry: listen on an ephemeral 127.0.0.1 port, print `{ port, …info }` as one
 * JSON line for the orchestrator, and exit cleanly on SIGTERM (so that `--cpu-prof` can write its profile).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export function serve(handler: Handler, info: Record<string, unknown> = {}): void {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    // readyMs: how long start-up took, so that a CPU profile can leave start-up out.
    console.log(JSON.stringify({ port, readyMs: performance.now(), ...info }));
  });
  process.on('SIGTERM', () => process.exit(0));
}

/** Heap after a full collection (the entry runs with `--expose-gc`): used and reserved; memory outside it (buffers); RSS. */
export function memory(): { heapUsed: number; heapTotal: number; external: number; rss: number } {
  globalThis.gc?.();
  globalThis.gc?.();
  const { heapUsed, heapTotal, external, rss } = process.memoryUsage();
  return { heapUsed, heapTotal, external, rss };
}

export function sendJson(res: http.ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
