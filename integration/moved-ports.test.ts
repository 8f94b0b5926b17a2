/**
 * One root command moves both apps: `PROVIDER_PORT=… CLIENT_PORT=… npm start`, and everything derived from the
 * ports (the issuer, the registered redirect URI, the client's redirect URI and its idea of the issuer) follows.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig as loadProviderConfig } from '../provider/src/config.ts';
import { loadConfig as loadClientConfig } from '../client/src/config.ts';
import { Browser, signInAndConsent } from './support/browser.ts';
import { Sandbox } from './support/processes.ts';

describe('moving both apps with PROVIDER_PORT and CLIENT_PORT', () => {
  it('derives the same issuer and redirect URI in both apps, and neither warns', () => {
    const env = { PROVIDER_PORT: '8081', CLIENT_PORT: '3001' };
    const provider = loadProviderConfig(env);
    const client = loadClientConfig(env);
    expect([provider.port, client.port]).toEqual([8081, 3001]);
    expect(provider.issuer).toBe('http://localhost:8081');
    expect(client.authServer).toBe(provider.issuer);
    expect(client.redirect_uri).toBe('http://localhost:3001/callback');
    expect(provider.clients[0]?.redirect_uris).toEqual([client.redirect_uri]);
    expect([...provider.warnings, ...client.warnings]).toEqual([]);
  });

  describe('with npm start', () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await Sandbox.create();
    }, 30_000);
    afterAll(() => sandbox.dispose());

    /** Two ports free at this moment. */
    async function freePorts(): Promise<[number, number]> {
      const servers = [createServer(), createServer()];
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
      const ports = servers.map((server) => (server.address() as AddressInfo).port);
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
      return [ports[0] ?? 0, ports[1] ?? 0];
    }

    it('runs a whole login on http://localhost at the new ports', async () => {
      const [providerPort, clientPort] = await freePorts();
      const started = sandbox.npmStart({ PROVIDER_PORT: String(providerPort), CLIENT_PORT: String(clientPort) });
      try {
        await started.waitFor(new RegExp(`^\\[provider\\] .*ready at http://localhost:${providerPort} `), 60_000);
        await started.waitFor(new RegExp(`^\\[client\\] .*ready at http://localhost:${clientPort} `), 60_000);
        const browser = new Browser();
        const clientUrl = `http://localhost:${clientPort}`;
        const start = await browser.post(`${clientUrl}/login`, {});
        const authorization = new URL(start.headers.get('location') as string);
        expect(authorization.origin).toBe(`http://localhost:${providerPort}`);
        const callback = await signInAndConsent(browser, authorization);
        expect(callback.href.startsWith(`${clientUrl}/callback?`)).toBe(true);
        const home = await browser.follow(await browser.get(callback), callback);
        expect(home.response.status).toBe(200);
        expect(await home.response.text()).toContain('user1');
        expect(started.output).not.toMatch(/WARN|ERROR/);
      } finally {
        started.signal('SIGINT');
        await started.exited;
      }
    }, 90_000);
  });
});
