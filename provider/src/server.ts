/**
 * Starts the provider: the only file that listens on a port. The client's server.ts follows the same steps:
 * read the configuration (a bad value: one line naming the variable, exit 1), listen, and only then say where;
 * on SIGTERM or SIGINT finish the requests in flight, close the stores, exit 0.
 *
 * With WORKERS above 1, this process becomes the primary of a node:cluster (cluster.ts): it prepares the database
 * once, then starts that many workers, each of which runs this file again down to the same `listen`, on the same
 * port. A worker says "ready" to the primary, which says it to the terminal once for all.
 */
import cluster from 'node:cluster';
import { createApp } from './app.ts';
import { runPrimary } from './cluster.ts';
import { ConfigError, loadConfig, loadConfigForPort, loadDotEnv, type ProviderConfig } from './config.ts';
import { DatabaseStartError } from './database.ts';
import { describeListenError, listen, onShutdownSignal, type Listening } from '@oauth-reference/common/listen';
import { createLogger } from '@oauth-reference/common/log';
import { openStores, type ProviderStores } from './stores.ts';

/** How long requests in flight may take to finish once a stop was asked for. */
const SHUTDOWN_GRACE_MS = 10_000;

let config: ProviderConfig;
let envFiles: string[];
try {
  envFiles = loadDotEnv();
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  // The code is fine, the setting is not: one line, no stack trace.
  console.error(`Configuration error: ${err.message}`);
  process.exit(1);
}

const log = createLogger('provider', config.log);
// A worker's settings are its primary's, which has said all this already.
if (cluster.isPrimary) {
  log.info(
    envFiles.length > 0
      ? `Settings from ${envFiles.join(' and ')} (variables set in the environment win)`
      : 'No .env file: default settings and environment variables (see .env.example)',
  );
  for (const warning of config.warnings) log.warn(warning);
}

if (cluster.isPrimary && config.workers > 1) {
  await runPrimary(config, log, SHUTDOWN_GRACE_MS);
} else {
  await serve();
}

/** One provider process: the stores, the port, the app. */
async function serve(): Promise<void> {
  // Installed first, so that a stop asked for at any moment from now on is a clean one.
  let listening: Listening | undefined;
  let stores: ProviderStores | undefined;
  onShutdownSignal(async (signal) => {
    log.info(`${signal}: finishing the requests in flight (at most ${SHUTDOWN_GRACE_MS / 1000} s), then stopping`);
    const { forced } = (await listening?.close(SHUTDOWN_GRACE_MS)) ?? { forced: false };
    if (forced) log.warn('Some requests had not finished in time: their connections were closed.');
    try {
      await stores?.close();
    } catch (err) {
      log.error(`Closing the stores failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
    log.info('Stopped');
    process.exit(0);
  });

  try {
    stores = await openStores(config);
  } catch (err) {
    if (!(err instanceof DatabaseStartError)) throw err;
    log.error(err.message);
    process.exit(1);
  }
  try {
    listening = await listen({ host: config.host, port: config.port });
  } catch (err) {
    log.error(describeListenError(err, { host: config.host, port: config.port, portVariable: 'PROVIDER_PORT' }));
    await stores.close();
    process.exit(1);
  }
  if (config.port === 0) config = loadConfigForPort(listening.port);
  listening.serve(createApp(config, { ...stores.deps, logger: log }));

  if (cluster.isWorker) {
    log.info(`Worker ${cluster.worker?.id} ready (pid ${process.pid})`);
    process.send?.({ ready: true, port: listening.port, addresses: listening.addresses });
    return;
  }
  log.info(`Storage: ${stores.description}`);
  if (config.sessionSecretGenerated) {
    log.info('SESSION_SECRET is not set: using a random one, so sign-ins end when the provider restarts.');
  }
  log.info(`Metadata at ${config.issuer}/.well-known/oauth-authorization-server`);
  log.info(`Authorization server ready at ${config.issuer} (listening on ${listening.addresses.join(' and ')})`);
}
