// The real connect-sentinel process (node src/main.ts), for what only a process shows: kill -9, signals, the lock.
// Its JSON log lines are read as they arrive; waiting is for a line or the exit, never a fixed sleep.

import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const NODE = resolve('node_modules/.bin/node');
const MAIN = resolve('src/main.ts');

export interface SentinelProcess {
  child: ChildProcess;
  /** Parsed JSON log lines (stdout) so far. */
  lines: Record<string, unknown>[];
  stdout(): string;
  stderr(): string;
  /** Resolves with the first line (already seen or still to come) whose msg contains `fragment`, or that `fragment` accepts. */
  waitForLine(fragment: string | RegExp | ((line: Record<string, unknown>) => boolean)): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  /** Kills it with SIGKILL if still running. */
  close(): Promise<void>;
}

export function spawnSentinel(args: string[], env: Record<string, string> = {}): SentinelProcess {
  const child = spawn(NODE, [MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let out = '';
  let err = '';
  let partial = '';
  const lines: Record<string, unknown>[] = [];
  const waiters: Array<{ matches: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    partial += chunk;
    let newline = partial.indexOf('\n');
    while (newline !== -1) {
      const text = partial.slice(0, newline);
      partial = partial.slice(newline + 1);
      newline = partial.indexOf('\n');
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.matches(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | string>((done) => {
    child.on('exit', (code, signal) => done(code ?? signal ?? -1));
  });
  const msgMatches = (fragment: string | RegExp | ((line: Record<string, unknown>) => boolean)) => (line: Record<string, unknown>) => {
    if (typeof fragment === 'function') return fragment(line);
    const msg = String(line['msg'] ?? '');
    return typeof fragment === 'string' ? msg.includes(fragment) : fragment.test(msg);
  };
  return {
    child,
    lines,
    stdout: () => out,
    stderr: () => err,
    waitForLine(fragment) {
      const matches = msgMatches(fragment);
      const seen = lines.find(matches);
      if (seen) return Promise.resolve(seen);
      const line = new Promise<Record<string, unknown>>((resolveLine) => waiters.push({ matches, resolve: resolveLine }));
      // An early exit would otherwise leave the test waiting for its timeout with no clue.
      return Promise.race([
        line,
        exited.then((code) => {
          throw new Error(`connect-sentinel exited (${code}) before logging ${String(fragment)}\nstdout:\n${out}\nstderr:\n${err}`);
        }),
      ]);
    },
    exited,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
