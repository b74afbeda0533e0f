// Spawns the real connect-sentinel process (Node 24, src/main.ts) for command line tests. Every wait has a deadline,
// and killAll() (call it in afterEach) SIGKILLs whatever is still running.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const NODE = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** Long enough for a cold start on a busy 2-core machine; a hang fails the test instead of the suite's timeout. */
export const DEADLINE_MS = 15_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SentinelProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** JSON log lines written to stdout so far. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves with the first log line (past or future) that matches; rejects at the deadline. */
  waitForLog(matches: (line: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
  /** Resolves when the process has exited; rejects at the deadline. */
  exited(): Promise<Exit>;
}

const running = new Set<ChildProcess>();

export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

function withDeadline<T>(promise: Promise<T>, what: string, output: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${DEADLINE_MS} ms; output:\n${output()}`)), DEADLINE_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export function startSentinel(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): SentinelProcess {
  const child = spawn(NODE, [MAIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    notify();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exit = new Promise<Exit>((resolve) => {
    // 'close', not 'exit': by then stdout and stderr have been read to the end.
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const logs = () =>
    out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const output = () => `stdout:\n${out}\nstderr:\n${err}`;

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs,
    waitForLog(matches, what) {
      const found = new Promise<Record<string, unknown>>((resolve, reject) => {
        const check = () => {
          const line = logs().find(matches);
          if (line !== undefined) {
            waiters.delete(check);
            resolve(line);
          }
        };
        waiters.add(check);
        check();
        void exit.then(() => {
          if (waiters.delete(check)) reject(new Error(`the process exited before ${what}; output:\n${output()}`));
        });
      });
      return withDeadline(found, what, output);
    },
    exited: () => withDeadline(exit, 'exit', output),
  };
}

/** Runs a command that is expected to exit on its own. */
export async function runSentinel(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<Exit & { stdout: string; stderr: string }> {
  const process = startSentinel(args, options);
  const exit = await process.exited();
  return { ...exit, stdout: process.stdout(), stderr: process.stderr() };
}
