/**
 * Slow and idle clients (listen.ts): thousands of sockets that connect and send nothing must not starve real
 * requests, and the server must close them on its own (its headers timeout), not keep them for ever.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from './support/processes.ts';

const IDLE_SOCKETS = 2_000;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.create();
}, 30_000);
afterAll(() => sandbox.dispose());

/** Opens `count` connections that never send a byte; records what the server answers and when it closes them. */
async function openIdleSockets(port: number, count: number) {
  const sockets: { socket: Socket; closed: boolean; answer: string }[] = [];
  for (let opened = 0; opened < count; opened += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - opened) }, async () => {
        const entry = { socket: connect(port, '127.0.0.1'), closed: false, answer: '' };
        entry.socket.setEncoding('utf8').on('data', (chunk: string) => (entry.answer += chunk));
        entry.socket.on('close', () => (entry.closed = true)).on('error', () => {});
        sockets.push(entry);
        await new Promise((resolve) => entry.socket.once('connect', resolve));
      }),
    );
  }
  return sockets;
}

describe.concurrent.each([
  { app: 'provider', portVariable: 'PROVIDER_PORT', probe: '/.well-known/oauth-authorization-server' },
  { app: 'client', portVariable: 'CLIENT_PORT', probe: '/' },
] as const)('$app with 2,000 idle sockets open', ({ app, portVariable, probe }) => {
  it('keeps answering real requests, then closes the idle sockets itself (408 after the headers timeout)', async () => {
    const started = sandbox.start(app, { [portVariable]: '0' });
    const port = await started.port();
    const idle = await openIdleSockets(port, IDLE_SOCKETS);
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`http://127.0.0.1:${port}${probe}`)));
      expect(answers.map((res) => res.status)).toEqual(Array(20).fill(200));
      // The real requests were served while every idle socket was still open.
      expect(idle.filter((entry) => entry.closed)).toHaveLength(0);

      // Within the headers timeout (10 s) plus one check interval, each idle socket is answered and closed.
      const deadline = Date.now() + 20_000;
      while (idle.some((entry) => !entry.closed) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
      expect(idle.filter((entry) => !entry.closed)).toHaveLength(0);
      expect(idle.every((entry) => entry.answer.startsWith('HTTP/1.1 408'))).toBe(true);
    } finally {
      idle.forEach((entry) => entry.socket.destroy());
    }
    expect(await started.stop()).toBe(0);
  }, 60_000);
});
