/**
 * WORKERS=N: N provider processes on one port (node:cluster), sharing one PostgreSQL database.
 *
 * The primary serves no request. It:
 * 1. prepares the database once (waits for it, applies the migrations), so that a database that is down or
 *    misconfigured is one line and exit 1 here, instead of N workers failing and being restarted in a loop.
 *    Each worker opens its own pool afterwards; its own migration check finds nothing to do (and would be safe
 *    anyway: migrations run under an advisory lock, store/migrate.ts);
 * 2. starts the workers, and says "ready" once they all are;
 * 3. replaces a worker that dies, at once if it had been running a while, after a growing delay (1 s, 2 s, 4 s …
 *    30 s) if it keeps dying young, so that a crash loop does not spin. A worker that fails before any worker has
 *    ever been ready is a start-up problem (a busy port, say): the worker has printed why, and the primary stops.
 *    A worker that exits 0 was told to stop (by a signal that reached it first) and is not replaced;
 * 4. passes SIGTERM and SIGINT to every worker, each of which finishes its requests in flight and closes its
 *    pool (server.ts), then exits 0 once they are all gone.
 * Requests need no affinity to a worker: everything a request needs is in the database. A worker that dies takes
 * its requests in flight with it (and a connection the primary was handing it at that instant); a client or a
 * load balancer retries those, as it would after any crash.
 */
import cluster, { type Worker } from 'node:cluster';
import { loadConfigForPort, type ProviderConfig } from './config.ts';
import { DatabaseStartError, describeDatabase, openDatabase } from './database.ts';
import { onShutdownSignal } from '@oauth-reference/common/listen';
import type { Logger } from '@oauth-reference/common/log';

/** A worker that dies sooner than this after its start counts as a crash loop: its replacement waits. */
const YOUNG_DEATH_MS = 10_000;
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;

/** What a worker sends the primary once it listens (server.ts). */
interface ReadyMessage {
  ready: true;
  port: number;
  addresses: string[];
}

const isReady = (message: unknown): message is ReadyMessage =>
  typeof message === 'object' && message !== null && (message as { ready?: unknown }).ready === true;

export async function runPrimary(config: ProviderConfig, log: Logger, shutdownGraceMs: number): Promise<void> {
  const database = config.database!; // config.ts refuses WORKERS > 1 without one
  try {
    const { pool, applied } = await openDatabase(database);
    await pool.end();
    log.info(`Storage: ${describeDatabase(database, applied)}`);
  } catch (err) {
    if (!(err instanceof DatabaseStartError)) throw err;
    log.error(err.message);
    process.exit(1);
  }

  const startedAt = new Map<Worker, number>();
  const readyWorkers = new Set<Worker>();
  let everReady = false;
  let stopping = false;
  let youngDeaths = 0;
  const pendingReplacements = new Set<NodeJS.Timeout>();

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    worker.on('message', (message: unknown) => {
      if (!isReady(message)) return;
      readyWorkers.add(worker);
      if (everReady || readyWorkers.size < config.workers) return;
      everReady = true;
      // With PROVIDER_PORT=0 the workers got the port; the issuer derives from it.
      const { issuer } = config.port === 0 ? loadConfigForPort(message.port) : config;
      log.info(`Metadata at ${issuer}/.well-known/oauth-authorization-server`);
      log.info(`Authorization server ready at ${issuer} (listening on ${message.addresses.join(' and ')}), ${config.workers} workers`);
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    const wasReady = readyWorkers.delete(worker);
    startedAt.delete(worker);
    if (stopping) {
      if (startedAt.size === 0) finish();
      return;
    }
    if (code === 0 && !signal) {
      // A worker exits 0 only once told to stop: Ctrl-C in a terminal signals every process of the group, and the
      // workers may see it before the primary does. Not a death to repair.
      log.info(`Worker ${worker.id} stopped`);
      if (startedAt.size === 0 && pendingReplacements.size === 0) stopAll('SIGTERM', 0);
      return;
    }
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (!everReady && !wasReady) {
      log.error(`Worker ${worker.id} ${how} before the provider was ready (see above): stopping.`);
      stopAll('SIGTERM', 1);
      return;
    }
    youngDeaths = lived < YOUNG_DEATH_MS ? youngDeaths + 1 : 0;
    const delay = youngDeaths === 0 ? 0 : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (youngDeaths - 1));
    log.warn(`Worker ${worker.id} (pid ${worker.process.pid}) ${how}: starting another${delay > 0 ? ` in ${delay / 1000} s` : ''}.`);
    const timer = setTimeout(() => {
      pendingReplacements.delete(timer);
      if (!stopping) fork();
    }, delay);
    pendingReplacements.add(timer);
  });

  let exitCode = 0;
  const finish = () => {
    log.info('Stopped');
    process.exit(exitCode);
  };
  const stopAll = (signal: NodeJS.Signals, code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    pendingReplacements.forEach(clearTimeout);
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    if (workers.length === 0) return finish();
    for (const worker of workers) worker.process.kill(signal);
    // Each worker bounds its own wait; one that is stuck anyway is not waited for past this.
    setTimeout(() => workers.forEach((worker) => worker.isDead() || worker.process.kill('SIGKILL')), shutdownGraceMs + 5_000).unref();
  };

  onShutdownSignal(async (signal) => {
    if (stopping) return;
    const workers = startedAt.size === 1 ? '1 worker' : `${startedAt.size} workers`;
    log.info(`${signal}: stopping the ${workers} (each finishes its requests in flight, at most ${shutdownGraceMs / 1000} s)`);
    stopAll(signal, 0);
  });

  log.info(`Starting ${config.workers} workers`);
  for (let i = 0; i < config.workers; i++) fork();
}
