/**
 * Starts the provider. The only file that listens on a port.
 */
import { createApp } from './app.ts';
import { loadConfig, loadDotEnv } from './config.ts';
import { ExpiringMemoryStore } from './http/session.ts';
import { InMemoryStore } from './store/index.ts';

loadDotEnv();
let config;
try {
  config = loadConfig();
} catch (err) {
  console.error(`Configuration error: ${(err as Error).message}`);
  process.exit(1);
}

const store = new InMemoryStore(config);
const sessionStore = new ExpiringMemoryStore();
// Expired codes, tokens and sessions are dropped every minute, so memory stays bounded.
store.startPurging();
setInterval(() => sessionStore.purgeExpired(), 60_000).unref();

if (config.sessionSecretGenerated) {
  console.log('SESSION_SECRET is not set: using a random one, so sign-ins end when the provider restarts.');
}

const server = createApp(config, { store, sessionStore }).listen(config.port, () => {
  console.log(`Authorization server listening on ${config.issuer} (port ${config.port})`);
  console.log(`Metadata at ${config.issuer}/.well-known/oauth-authorization-server`);
});
server.on('error', (err: NodeJS.ErrnoException) => {
  console.error(
    err.code === 'EADDRINUSE' ? `Port ${config.port} is already in use: stop the other process or set PORT to another port.` : err.message,
  );
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
