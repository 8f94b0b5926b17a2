/**
 * Runs the apps as `npm start` does, in child processes, to see what a person sees in the terminal: start-up lines,
 * warnings, errors, exit codes. Each test file works in its own copy of the repository in a temporary folder, so
 * that it writes `.env` files freely and never reads the developer's own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

export type AppName = 'provider' | 'client';

/** A copy of what `npm start` needs: both apps' sources, views and static files, the code they share, the root package.json. */
export class Sandbox {
  private readonly running = new Set<AppProcess>();

  private constructor(readonly dir: string) {}

  static async create(): Promise<Sandbox> {
    const dir = await mkdtemp(join(tmpdir(), 'oauth-start-'));
    for (const app of ['common', 'provider', 'client']) {
      for (const part of ['src', 'views', 'public', 'package.json', 'tsconfig.json']) {
        if (existsSync(join(REPOSITORY, app, part))) await cp(join(REPOSITORY, app, part), join(dir, app, part), { recursive: true });
      }
    }
    for (const file of ['package.json', 'tsconfig.base.json', '.env.example']) await cp(join(REPOSITORY, file), join(dir, file));
    // The installed packages are shared, not copied: Node finds them from the copied files by walking up.
    await symlink(join(REPOSITORY, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return new Sandbox(dir);
  }

  /** Writes (or, with `undefined`, removes) a file relative to the copy's root, such as `.env` or `provider/.env`. */
  async file(path: string, text: string | undefined): Promise<void> {
    if (text === undefined) return rm(join(this.dir, path), { force: true });
    await mkdir(join(this.dir, path, '..'), { recursive: true });
    await writeFile(join(this.dir, path), text);
  }

  /** `node --import tsx <app>/src/server.ts`, which is what the app's `npm start` runs, with only `env` set. */
  start(app: AppName, env: Record<string, string> = {}): AppProcess {
    return this.spawn(process.execPath, ['--import', 'tsx', `${app}/src/server.ts`], env);
  }

  /** `npm start` at the root: both apps under concurrently. Its own process group, as in a terminal. */
  npmStart(env: Record<string, string> = {}): AppProcess {
    return this.spawn('npm', ['start'], env, true);
  }

  private spawn(command: string, args: string[], env: Record<string, string>, group = false): AppProcess {
    const child = spawn(command, args, {
      cwd: this.dir,
      // Nothing of this test run's environment (VITEST, NODE_ENV, a developer's PORT…) leaks into the app.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? this.dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: group,
    });
    const running = new AppProcess(child);
    this.running.add(running);
    void running.exited.then(() => this.running.delete(running));
    return running;
  }

  /** Kills what is still running, then deletes the copy. */
  async dispose(): Promise<void> {
    await Promise.all([...this.running].map((app) => app.kill()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

export class AppProcess {
  /** Every line printed so far, stdout and stderr interleaved as they arrived. */
  readonly lines: string[] = [];
  /** The exit code, or the signal's name if a signal ended the process. */
  readonly exited: Promise<number | string>;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly child: ChildProcess) {
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        this.lines.push(...parts);
        this.waiters.forEach((wake) => wake());
      });
    }
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    void this.exited.then(() => this.waiters.forEach((wake) => wake()));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get output(): string {
    return this.lines.join('\n');
  }

  /** Resolves with the first line matching `pattern`; rejects if the process exits or `ms` pass first. */
  waitFor(pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      let exited = false;
      void this.exited.then(() => (exited = true));
      const check = () => {
        for (const line of this.lines) {
          const match = pattern.exec(line);
          if (match) return finish(() => resolve(match));
        }
        if (exited) finish(() => reject(new Error(`exited before printing ${pattern}:\n${this.output}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no ${pattern} within ${ms} ms:\n${this.output}`))), ms);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for the "ready at …" line and returns the port it names. */
  async port(): Promise<number> {
    const [, port] = await this.waitFor(/ready at .*\(listening on [^)]*:(\d+)/);
    return Number(port);
  }

  /** Sends a signal (to the whole process group for `npmStart`) and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
    this.signal(signal);
    return this.exited;
  }

  signal(signal: NodeJS.Signals): void {
    const target = this.child.spawnargs[0] === 'npm' ? -this.pid : this.pid;
    process.kill(target, signal);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      this.signal('SIGKILL');
    } catch {
      // already gone
    }
    await this.exited;
  }
}
