/**
 * Starts the real apps on ephemeral loopback ports for two-process scenarios. The provider's issuer and the
 * client's redirect URI both name a port, so a port is reserved first and the app attached once its
 * configuration is known.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createApp as createProvider } from '../../provider/src/app.ts';
import { loadConfig as loadProviderConfig } from '../../provider/src/config.ts';
import { InMemoryStore } from '../../provider/src/store/index.ts';
import { createApp as createClient } from '../../client/src/app.ts';
import { loadConfig as loadClientConfig } from '../../client/src/config.ts';

export interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A server listening on 127.0.0.1 with a port of the system's choosing, serving nothing until `serve`. */
export async function reservePort() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const running: Running = {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
  return { ...running, serve: (app: Express) => server.on('request', app) && running };
}

export function providerApp(url: string, env: Record<string, string> = {}) {
  const config = loadProviderConfig({ ISSUER: url, SESSION_SECRET: 'integration-provider-session-secret-32', ...env });
  const store = new InMemoryStore(config);
  return { app: createProvider(config, { store }), store };
}

export function clientApp(url: string, env: Record<string, string>) {
  return createClient(
    loadClientConfig({
      PORT: new URL(url).port,
      REDIRECT_URI: `${url}/callback`,
      SESSION_SECRET: 'integration-session-secret-of-32-chars',
      ...env,
    }),
  );
}

export async function startProvider(env: Record<string, string> = {}) {
  const reserved = await reservePort();
  const { app, store } = providerApp(reserved.url, env);
  return { ...reserved.serve(app), store };
}

/** The usual pair: provider and client on their own ephemeral ports, registered with each other. */
export async function startBoth(providerEnv: Record<string, string> = {}, clientEnv: Record<string, string> = {}) {
  const providerPort = await reservePort();
  const clientPort = await reservePort();
  const { app, store } = providerApp(providerPort.url, { REDIRECT_URI: `${clientPort.url}/callback`, ...providerEnv });
  const provider = { ...providerPort.serve(app), store };
  const client = clientPort.serve(clientApp(clientPort.url, { AUTH_SERVER: providerPort.url, ...clientEnv }));
  return { provider, client, close: async () => void (await Promise.all([provider.close(), client.close()])) };
}
