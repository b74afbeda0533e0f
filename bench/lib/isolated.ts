// Runs one benchmark in a fresh Node.js process (with --expose-gc), so that figures such as peak RSS belong to that
// benchmark alone and not to whatever ran before it in the benchmark process.

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** What an isolated entry point sends back, once. */
export type IsolatedReply = { ok: true; result: unknown } | { ok: false; error: string };

/** Forks `entry` with `input` as its only argument (JSON) and resolves with the result it sends. */
export async function runIsolated<T>(entry: URL, input: unknown): Promise<T> {
  const child = fork(fileURLToPath(entry), [JSON.stringify(input)], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const replied = once(child, 'message') as Promise<[IsolatedReply]>;
  const first = await Promise.race([replied, exited.then(([code, signal]) => ({ code, signal }))]);
  if (!Array.isArray(first)) throw new Error(`isolated benchmark ${entry.pathname} exited (${first.code ?? first.signal}) without a result`);
  await exited;
  const [reply] = first;
  if (!reply.ok) throw new Error(`isolated benchmark ${entry.pathname}: ${reply.error}`);
  return reply.result as T;
}

/** The entry point's side: reads the input, runs `work`, sends the reply and lets the process end. */
export async function serveIsolated<I>(work: (input: I) => Promise<unknown>): Promise<void> {
  let reply: IsolatedReply;
  try {
    reply = { ok: true, result: await work(JSON.parse(process.argv[2] ?? 'null') as I) };
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  await new Promise<void>((resolve) => process.send?.(reply, () => resolve()));
  process.disconnect?.();
}
