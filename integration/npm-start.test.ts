/**
 * The root command a new user runs: `npm start` starts both apps under concurrently. Ctrl-C must stop both
 * cleanly, and a failure must read as one line from the app, without npm's error noise.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from './support/processes.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.create();
}, 30_000);
afterAll(() => sandbox.dispose());

describe('npm start (both apps)', () => {
  it('stops both apps on Ctrl-C (SIGINT to the terminal’s process group): each finishes its requests and says so', async () => {
    const started = sandbox.npmStart({ PROVIDER_PORT: '0', CLIENT_PORT: '0', AUTH_SERVER: 'http://localhost:8080' });
    await started.waitFor(/^\[provider\] .*ready at/, 60_000);
    await started.waitFor(/^\[client\] .*ready at/, 60_000);
    started.signal('SIGINT');
    await started.exited;
    for (const app of ['provider', 'client']) {
      expect(started.output).toMatch(new RegExp(`\\[${app}\\] .*INFO: SIGINT: finishing the requests in flight`));
      expect(started.output).toMatch(new RegExp(`\\[${app}\\] .*INFO: Stopped`));
    }
    expect(started.output).not.toMatch(/npm error|npm ERR|ERROR|\n\s+at /);
  }, 90_000);

  it('reports a busy port in one line from the app, without npm’s error lines, and stops the other app', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const started = sandbox.npmStart({ PROVIDER_PORT: String(port), CLIENT_PORT: '0', AUTH_SERVER: 'http://localhost:8080' });
      await started.exited;
      const provider = started.lines.filter((line) => line.startsWith('[provider]'));
      expect(provider).toEqual([
        expect.stringMatching(/INFO: No \.env file/),
        expect.stringMatching(
          new RegExp(`ERROR: Port ${port} is already in use \\(127\\.0\\.0\\.1:${port}\\): stop the other process or set PROVIDER_PORT to another port\\.$`),
        ),
        // concurrently's own summary line
        `[provider] npm start --silent -w provider exited with code 1`,
      ]);
      expect(started.output).not.toMatch(/npm error|npm ERR|\n\s+at /);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  }, 90_000);
});
