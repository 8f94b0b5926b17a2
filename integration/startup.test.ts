/**
 * What a person sees in the terminal when starting either app: both follow the same start-up idiom, so the same
 * scenarios run against each, as child processes started the way `npm start` starts them.
 */
import { createServer, type Server } from 'node:net';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, type AppProcess } from './support/processes.ts';

const APPS = [
  // `url`: the setting that names where the app is reached, and the address the app prints it in.
  { app: 'provider', portVariable: 'PROVIDER_PORT', url: 'ISSUER', probe: '/.well-known/oauth-authorization-server' },
  { app: 'client', portVariable: 'CLIENT_PORT', url: 'REDIRECT_URI', probe: '/' },
] as const;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.create();
}, 30_000);
afterAll(() => sandbox.dispose());

/** A port held by another process (here: this one), on one loopback address. */
async function occupy(host: '127.0.0.1' | '::1', port = 0): Promise<Server & { port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}
const held: Server[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  await Promise.all(['.env', 'provider/.env', 'client/.env'].map((path) => sandbox.file(path, undefined)));
});

/** A port free at this moment, for the scenarios that need to know the port before the app starts. */
async function freePort(): Promise<number> {
  const server = await occupy('127.0.0.1');
  await new Promise((resolve) => server.close(resolve));
  return server.port;
}

const nonEmpty = (app: AppProcess) => app.lines.filter((line) => line.trim() !== '');

describe.each(APPS)('$app: start-up', ({ app, portVariable, url, probe }) => {
  it('says where it listens only once it listens, with the port the system chose for port 0, on 127.0.0.1 and ::1', async () => {
    const started = sandbox.start(app, { [portVariable]: '0' });
    const port = await started.port();
    expect(port).toBeGreaterThan(0);
    const ready = started.lines.findIndex((line) => /ready at/.test(line));
    expect(started.lines[ready]).toContain(`(listening on 127.0.0.1:${port} and [::1]:${port})`);
    // http://localhost works whichever address the browser picks.
    for (const host of ['127.0.0.1', '[::1]']) {
      const response = await fetch(`http://${host}:${port}${probe}`);
      expect(response.status).toBe(200);
    }
    if (app === 'provider') {
      const metadata = (await (await fetch(`http://127.0.0.1:${port}${probe}`)).json()) as { issuer: string };
      expect(metadata.issuer).toBe(`http://localhost:${port}`);
    }
    expect(await started.stop()).toBe(0);
  });

  it(`stops at a busy port with one line naming ${portVariable}, exit code 1, and never claims to listen`, async () => {
    const busy = await occupy('127.0.0.1');
    held.push(busy);
    const started = sandbox.start(app, { [portVariable]: String(busy.port) });
    expect(await started.exited).toBe(1);
    expect(started.output).toContain(
      `ERROR: Port ${busy.port} is already in use (127.0.0.1:${busy.port}): stop the other process or set ${portVariable} to another port.`,
    );
    expect(started.output).not.toMatch(/ready at|listening on|\n\s+at /);
  });

  it('counts a port busy on ::1 alone as busy: http://localhost could reach the other process', async () => {
    const busy = await occupy('::1');
    held.push(busy);
    const started = sandbox.start(app, { [portVariable]: String(busy.port) });
    expect(await started.exited).toBe(1);
    expect(started.output).toContain(`Port ${busy.port} is already in use ([::1]:${busy.port})`);
  });

  it('stops on a bad setting with exactly one line, "Configuration error: …" naming the variable, exit code 1', async () => {
    const started = sandbox.start(app, { [portVariable]: 'eighty' });
    expect(await started.exited).toBe(1);
    expect(nonEmpty(started)).toEqual([`Configuration error: ${portVariable} must be a port number from 0 to 65535, got "eighty"`]);
  });

  it(`ignores PORT, which would move both apps, with a warning naming ${portVariable}`, async () => {
    const started = sandbox.start(app, { PORT: '1', [portVariable]: '0' });
    expect(await started.port()).not.toBe(1);
    expect(started.output).toMatch(new RegExp(`WARN: PORT is ignored: set ${portVariable}`));
    expect(await started.stop()).toBe(0);
  });

  it(`warns at start when ${url} names another port of this machine than ${portVariable}`, async () => {
    const port = await freePort();
    const other = `http://localhost:${port + 1}${app === 'client' ? '/callback' : ''}`;
    const started = sandbox.start(app, { [portVariable]: String(port), [url]: other });
    await started.port();
    expect(started.output).toContain(`WARN: ${url} ${other} names port ${port + 1}, but this app listens on ${portVariable}=${port}.`);
    expect(await started.stop()).toBe(0);
  });

  it('says which .env files it read; the environment wins over its own file, which wins over the root .env', async () => {
    await sandbox.file('.env', `${portVariable}=0\nISSUER=http://root.example\n`);
    await sandbox.file(`${app}/.env`, 'ISSUER=http://app.example\n');
    const fromFiles = sandbox.start(app);
    await fromFiles.port();
    expect(fromFiles.output).toContain(`INFO: Settings from ${app}/.env and .env (variables set in the environment win)`);
    // The provider prints its issuer when ready; the client prints the issuer it will use.
    expect(fromFiles.output).toContain('http://app.example');
    expect(fromFiles.output).not.toContain('root.example');
    expect(await fromFiles.stop()).toBe(0);

    const fromEnvironment = sandbox.start(app, { ISSUER: 'http://environment.example' });
    await fromEnvironment.port();
    expect(fromEnvironment.output).toContain('http://environment.example');
    expect(fromEnvironment.output).not.toContain('http://app.example');
    expect(await fromEnvironment.stop()).toBe(0);
  });

  it('says so when there is no .env file at all', async () => {
    const started = sandbox.start(app, { [portVariable]: '0' });
    await started.port();
    expect(started.output).toContain('INFO: No .env file: default settings and environment variables (see .env.example)');
    expect(await started.stop()).toBe(0);
  });

  it('starts without a warning from .env.example copied whole to the root .env and to its own folder (the old trap)', async () => {
    const example = await import('node:fs/promises').then((fs) => fs.readFile(`${sandbox.dir}/.env.example`, 'utf8'));
    await sandbox.file('.env', example);
    await sandbox.file(`${app}/.env`, example);
    const started = sandbox.start(app, { [portVariable]: '0' });
    await started.port();
    expect(started.output).toContain(`Settings from ${app}/.env and .env`);
    expect(started.output).not.toMatch(/WARN|ERROR/);
    expect(await started.stop()).toBe(0);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s finishes the request in flight, accepts no new connection, and exits 0',
    async (signal) => {
      const started = sandbox.start(app, { [portVariable]: '0' });
      const port = await started.port();
      // A request in flight: its headers have arrived, its body is still coming.
      const body = 'grant_type=authorization_code&code=slow';
      const inFlight = new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: app === 'provider' ? '/oauth/token' : '/logout' }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.setHeader('content-type', 'application/x-www-form-urlencoded');
        req.setHeader('content-length', Buffer.byteLength(body));
        req.flushHeaders();
        setTimeout(() => {
          started.signal(signal);
          void started.waitFor(/finishing the requests in flight/).then(async () => {
            // Stopped accepting: a new connection is refused while the old request is still open.
            await expect(fetch(`http://127.0.0.1:${port}${probe}`)).rejects.toThrow();
            req.end(body);
          }, reject);
        }, 300);
      });
      const status = await inFlight;
      expect(status).toBeGreaterThanOrEqual(200);
      expect(status).toBeLessThan(500);
      expect(await started.exited).toBe(0);
      expect(started.output).toMatch(new RegExp(`INFO: ${signal}: finishing the requests in flight \\(at most 10 s\\), then stopping[\\s\\S]*INFO: Stopped$`));
    },
  );
});

describe('provider: settings that need a database or a shared session secret', () => {
  it('refuses WORKERS above 1 without DATABASE_URL with one line saying memory cannot be shared, exit code 1', async () => {
    const started = sandbox.start('provider', { WORKERS: '2', SESSION_SECRET: 'a-session-secret-of-at-least-32-chars' });
    expect(await started.exited).toBe(1);
    expect(nonEmpty(started)).toEqual([expect.stringMatching(/^Configuration error: WORKERS=2 needs DATABASE_URL: .*cannot share memory/)]);
  });

  it('refuses DATABASE_URL without SESSION_SECRET with one line naming it, and never prints the URL', async () => {
    const started = sandbox.start('provider', { DATABASE_URL: 'postgres://oauth:hunter2-password@localhost/oauth' });
    expect(await started.exited).toBe(1);
    expect(nonEmpty(started)).toEqual([expect.stringMatching(/^Configuration error: SESSION_SECRET must be set/)]);
    expect(started.output).not.toContain('hunter2');
  });
});
