// Entry point: the only place that reads the environment (through loadConfig) and listens on a port.
import { createApp } from './app.ts';
import { loadConfig, type ClientConfig } from './config.ts';

let config: Readonly<ClientConfig>;
try {
  config = loadConfig();
} catch (err) {
  // Fail at start, with the message naming the variable to fix, rather than on the first request.
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
if (config.sessionSecretIsRandom) {
  console.log('SESSION_SECRET is not set: using a random one, so sessions end when the client restarts.');
}

createApp(config).listen(config.port, (err?: NodeJS.ErrnoException) => {
  if (err) {
    console.error(
      err.code === 'EADDRINUSE' ? `Port ${config.port} is already in use: stop the other process or set PORT to another port.` : err.message,
    );
    process.exit(1);
  }
  // Open the client at the redirect URI's origin: the session cookie is only sent back to that host.
  console.log(`OAuth client listening on ${new URL(config.redirect_uri).origin} (authorization server: ${config.authServer})`);
});
