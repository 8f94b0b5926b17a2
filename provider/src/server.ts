/**
 * Starts the provider: the only file that listens on a port. The client's server.ts follows the same steps:
 * read the configuration (a bad value: one line naming the variable, exit 1), listen, and only then say where;
 * on SIGTERM or SIGINT finish the requests in flight, close the stores, exit 0.
 */
import { createApp } from './app.ts';
import { ConfigError, loadConfig, loadConfigForPort, loadDotEnv, type ProviderConfig } from './config.ts';
import { describeListenError, listen, onShutdownSignal, type Listening } from './http/listen.ts';
import { createLogger } from './http/log.ts';
import { ExpiringMemoryStore } from './http/session.ts';
import { InMemoryStore } from './store/index.ts';

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

const log = createLogger(config.log);
log.info(
  envFiles.length > 0
    ? `Settings from ${envFiles.join(' and ')} (variables set in the environment win)`
    : 'No .env file: default settings and environment variables (see .env.example)',
);
for (const warning of config.warnings) log.warn(warning);

// Installed before listening, so that a stop asked for at any moment from now on is a clean one.
let listening: Listening | undefined;
let stopStores = async () => {};
onShutdownSignal(async (signal) => {
  log.info(`${signal}: finishing the requests in flight (at most ${SHUTDOWN_GRACE_MS / 1000} s), then stopping`);
  const { forced } = (await listening?.close(SHUTDOWN_GRACE_MS)) ?? { forced: false };
  if (forced) log.warn('Some requests had not finished in time: their connections were closed.');
  try {
    await stopStores();
  } catch (err) {
    log.error(`Closing the stores failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  log.info('Stopped');
  process.exit(0);
});

try {
  listening = await listen({ host: config.host, port: config.port });
} catch (err) {
  log.error(describeListenError(err, { host: config.host, port: config.port, portVariable: 'PROVIDER_PORT' }));
  process.exit(1);
}
if (config.port === 0) config = loadConfigForPort(listening.port);

const store = new InMemoryStore(config);
const sessionStore = new ExpiringMemoryStore();
// Expired codes, tokens and sessions are dropped every minute, so memory stays bounded.
const stopPurging = store.startPurging();
const sessionPurge = setInterval(() => sessionStore.purgeExpired(), 60_000).unref();
stopStores = async () => {
  stopPurging();
  clearInterval(sessionPurge);
  await Promise.all([closeStore(store), closeStore(sessionStore)]);
};
listening.serve(createApp(config, { store, sessionStore, logger: log }));

if (config.sessionSecretGenerated) {
  log.info('SESSION_SECRET is not set: using a random one, so sign-ins end when the provider restarts.');
}
log.info(`Metadata at ${config.issuer}/.well-known/oauth-authorization-server`);
log.info(`Authorization server ready at ${config.issuer} (listening on ${listening.addresses.join(' and ')})`);

/** A store holding connections (a database pool) has `close()`; the in-memory stores have nothing to release. */
async function closeStore(store: object): Promise<void> {
  const { close } = store as { close?: () => unknown };
  if (typeof close === 'function') await close.call(store);
}
