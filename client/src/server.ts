// Entry point: the only file that listens on a port. The provider's server.ts follows the same steps: read the
// configuration (a bad value: one line naming the variable, exit 1), listen, and only then say where; on SIGTERM
// or SIGINT finish the requests in flight, then exit 0.
import { createApp } from './app.ts';
import { ConfigError, loadConfig, loadConfigForPort, loadDotEnv, type ClientConfig } from './config.ts';
import { describeListenError, listen, onShutdownSignal, type Listening } from '@oauth-reference/common/listen';
import { createLogger } from '@oauth-reference/common/log';

/** How long requests in flight may take to finish once a stop was asked for. */
const SHUTDOWN_GRACE_MS = 10_000;

let config: Readonly<ClientConfig>;
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

const log = createLogger('client', config.log);
log.info(
  envFiles.length > 0
    ? `Settings from ${envFiles.join(' and ')} (variables set in the environment win)`
    : 'No .env file: default settings and environment variables (see .env.example)',
);
for (const warning of config.warnings) log.warn(warning);

// Installed before listening, so that a stop asked for at any moment from now on is a clean one.
let listening: Listening | undefined;
onShutdownSignal(async (signal) => {
  log.info(`${signal}: finishing the requests in flight (at most ${SHUTDOWN_GRACE_MS / 1000} s), then stopping`);
  const { forced } = (await listening?.close(SHUTDOWN_GRACE_MS)) ?? { forced: false };
  if (forced) log.warn('Some requests had not finished in time: their connections were closed.');
  // The sessions and the other stores are in memory: nothing to release.
  log.info('Stopped');
  process.exit(0);
});

try {
  listening = await listen({ host: config.host, port: config.port });
} catch (err) {
  log.error(describeListenError(err, { host: config.host, port: config.port, portVariable: 'CLIENT_PORT' }));
  process.exit(1);
}
if (config.port === 0) config = loadConfigForPort(listening.port);

listening.serve(createApp(config, { logger: log }));

if (config.sessionSecretIsRandom) {
  log.info('SESSION_SECRET is not set: using a random one, so sessions end when the client restarts.');
}
log.info(`Authorization server: ${config.authServer}`);
// Open the client at the redirect URI's origin: the session cookie only comes back to that host name.
log.info(`OAuth client ready at ${new URL(config.redirect_uri).origin} (listening on ${listening.addresses.join(' and ')})`);
